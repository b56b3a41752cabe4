// The end-of-run secret scan (test/global-teardown.ts) must be able to see a value in a history: a canary proves it.
import { randomUUID } from 'node:crypto';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { scanHistoriesForSecrets } from '../secret-scan';
import { devServerEnv, uniqueTaskQueue } from '../helpers/temporal';

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
