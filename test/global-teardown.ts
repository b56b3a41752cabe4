import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { scanFilesForSecrets, scanHistoriesForSecrets } from './secret-scan';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as { __TEMPORAL_ENV__?: TestWorkflowEnvironment }).__TEMPORAL_ENV__;
  if (!env) return;
  try {
    const histories = await scanHistoriesForSecrets(env.client, env.address);
    const files = process.env.TEST_SCAN_DIR ? scanFilesForSecrets(process.env.TEST_SCAN_DIR) : undefined;
    process.stdout.write(
      `\nsecret scan: ${histories.histories} workflow histories, ${histories.events} events, ` +
        `${histories.hits.length} hits; ${files?.files ?? 0} log and exported history files, ` +
        `${((files?.bytes ?? 0) / 1e6).toFixed(1)} MB, ${files?.hits.length ?? 0} hits\n`,
    );
    const hits = [...histories.hits.map((h) => `the history of ${h}`), ...(files?.hits ?? [])];
    if (hits.length > 0) throw new Error(`a configured secret appears in: ${hits.join(', ')}`);
  } finally {
    await env.teardown();
  }
}
