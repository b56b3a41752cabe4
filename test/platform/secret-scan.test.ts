// The end-of-run secret scan (test/global-teardown.ts) must be able to see a value wherever the suite could leak
// one: canaries prove it sees workflow inputs on the dev server, histories of time-skipping servers, the Runtime
// logger of in-process workers (at levels that are not printed), the console, and spawned processes' output.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '@temporalio/worker';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { CONSOLE_CANARY_FILE, scanFilesForSecrets, scanHistoriesForSecrets } from '../secret-scan';
import { spawnProcess } from '../helpers/process';
import { devServerEnv, timeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

const scanDir = () => {
  const dir = process.env.TEST_SCAN_DIR;
  if (!dir) throw new Error('TEST_SCAN_DIR not set: run the tests through jest (global-setup.ts)');
  return dir;
};

test('the history scan finds a value that went into a workflow input', async () => {
  const env = await devServerEnv();
  try {
    const canary = `canary-${randomUUID()}`;
    const workflowId = `secret-scan-canary-${randomUUID()}`;
    // No worker polls this queue: the input is in the started event all the same.
    const handle = await env.client.workflow.start(migrateCreditMemos, {
      taskQueue: uniqueTaskQueue('canary'),
      workflowId,
      args: [{ tenantId: canary }],
    });
    // Visibility is eventually consistent: wait until the list shows the run, as the end-of-run scan will see it.
    for (;;) {
      let listed = false;
      for await (const _ of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed = true;
      if (listed) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const scan = await scanHistoriesForSecrets(env.client, process.env.TEST_TEMPORAL_ADDRESS!, [canary]);
    expect(scan.hits).toEqual([`${workflowId} (${handle.firstExecutionRunId})`]);
    expect(scan.histories).toBeGreaterThan(0);
    await handle.terminate('canary checked');
  } finally {
    await env.teardown();
  }
});

test('the file scan finds a value in a time-skipping server history, in Runtime logs at every level, and in child output', async () => {
  const inHistory = `canary-history-${randomUUID()}`;
  const env = await timeSkippingEnv();
  try {
    await env.client.workflow.start(migrateCreditMemos, {
      taskQueue: uniqueTaskQueue('canary'),
      workflowId: `secret-scan-canary-${randomUUID()}`,
      args: [{ tenantId: inHistory }],
    });
  } finally {
    await env.teardown(); // exports the server's histories first
  }

  const inDebugLog = `canary-debug-${randomUUID()}`;
  Runtime.instance().logger.debug(`checking ${inDebugLog}`); // below the printed level: only in the log file
  // Console output jest buffers reaches the logs when this file is done (test/log-capture-reporter.mjs): the
  // end-of-run scan checks this one (global-teardown.ts reads the file written here).
  const inConsole = `canary-console-${randomUUID()}`;
  console.log(`checking ${inConsole}`);
  writeFileSync(join(scanDir(), CONSOLE_CANARY_FILE), inConsole);
  const inChild = `canary-child-${randomUUID()}`;
  const child = spawnProcess(process.execPath, ['-e', `console.error(${JSON.stringify(inChild)})`], {
    PATH: process.env.PATH,
  });
  await child.exited;

  for (const canary of [inHistory, inDebugLog, inChild]) {
    const scan = scanFilesForSecrets(scanDir(), [canary]);
    expect({ canary, found: scan.hits.length > 0 }).toEqual({ canary, found: true });
  }
  expect(scanFilesForSecrets(scanDir(), [`never-written-${randomUUID()}`]).hits).toEqual([]);
});
