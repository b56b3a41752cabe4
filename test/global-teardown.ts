import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { scanHistoriesForSecrets } from './secret-scan';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__;
  if (!env) return;
  try {
    const scan = await scanHistoriesForSecrets(env.client, env.address);
    process.stdout.write(
      `\nsecret scan: ${scan.histories} workflow histories, ${scan.events} events, ${scan.hits.length} hits\n`,
    );
    if (scan.hits.length > 0) {
      throw new Error(`a configured secret appears in the history of: ${scan.hits.join(', ')}`);
    }
  } finally {
    await env.teardown();
  }
}
