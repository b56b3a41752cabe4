import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { CONSOLE_CANARY_FILE, scanFilesForSecrets, scanHistoriesForSecrets } from './secret-scan';

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
    // The canary test printed a value on the console: the scan must have seen it (console output reaches the logs
    // only after its file is done, so the test cannot check this itself).
    const canaryFile = process.env.TEST_SCAN_DIR && join(process.env.TEST_SCAN_DIR, CONSOLE_CANARY_FILE);
    if (canaryFile && existsSync(canaryFile)) {
      const canary = readFileSync(canaryFile, 'utf8').trim();
      rmSync(canaryFile);
      if (scanFilesForSecrets(process.env.TEST_SCAN_DIR!, [canary]).hits.length === 0) {
        throw new Error(`the console canary ${canary} is in no log file: console output is not being scanned`);
      }
      process.stdout.write('secret scan: the console canary was found in the logs\n');
    }
  } finally {
    await env.teardown();
  }
}
