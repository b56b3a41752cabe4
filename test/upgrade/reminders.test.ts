// Waiting on Zuora support for provisioning ids: a reminder every 24 h and an escalation after 5 days, over 7
// simulated days on the time-skipping test server; and no limit on the wait itself.
import {
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  STEPS,
  pauseSignal,
  provisioningIdsReceivedUpdate,
  resumeSignal,
  skipStepSignal,
  statusQuery,
} from '../../src/shared/upgrade';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { useWorkflowSuite } from '../helpers/suite';
import { stepOf, waitForStep } from '../helpers/upgrade-driver';

const suite = useWorkflowSuite({ queue: 'reminders', timeSkipping: true });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

test('reminders every 24 h and one escalation after 5 days while waiting 7 days for provisioning ids', async () => {
  // Start paused, so the steps before the wait can be skipped before any of them starts.
  const handle = await suite.env.client.workflow.signalWithStart(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: 'is-upgrade-demo',
    args: [
      {
        tenantId: 'demo',
        oldConnectorInstanceId: 'old-1',
        options: { reminderInterval: '24h', escalationAfter: '5d' },
      },
    ],
    signal: pauseSignal,
    signalArgs: [{ by: 'test', reason: 'set up' }],
  });
  const before = STEPS.slice(
    0,
    STEPS.findIndex((s) => s.id === 'connector.provisioning-ids'),
  );
  for (const s of before)
    await handle.signal(skipStepSignal, {
      by: 'test',
      stepId: s.id,
      reason: 'not part of this test',
      ...(s.id === 'migrate.credit-memos' ? { acknowledge: MIGRATION_SKIP_ACKNOWLEDGEMENT } : {}),
    });
  await handle.signal(resumeSignal, { by: 'test' });

  // Once the workflow waits for the ids, let 7 days and an hour pass.
  let status = await waitForStep(handle, 'connector.provisioning-ids', 'waiting');
  expect(status.waitingOn).toBe('zuora-support');
  const waitingSince = Date.parse(stepOf(status, 'connector.provisioning-ids').startedAt!);

  await suite.env.sleep(7 * DAY + HOUR);
  status = await handle.query(statusQuery);
  const step = stepOf(status, 'connector.provisioning-ids');
  expect(step.state).toBe('waiting');
  expect(step.data.remindersSent).toBe(7);
  const escalatedAt = Date.parse(String(step.data.escalatedAt));
  expect(Math.abs(escalatedAt - waitingSince - 5 * DAY)).toBeLessThan(2 * 60_000);
  expect(status.openReminders).toEqual([
    expect.objectContaining({ kind: 'reminder', count: 7 }),
    expect.objectContaining({ kind: 'escalation', count: 1 }),
  ]);
  const kinds = suite.stack.notifier.sent.filter((n) => n.stepId === 'connector.provisioning-ids').map((n) => n.kind);
  expect(kinds.filter((k) => k === 'reminder')).toHaveLength(7);
  expect(kinds.filter((k) => k === 'escalation')).toHaveLength(1);
  expect(kinds[0]).toBe('waiting');

  // The answer ends the wait, whenever it comes.
  await handle.executeUpdate(provisioningIdsReceivedUpdate, {
    args: [{ by: 'zuora-support', accountId: 'acc-123', environmentId: 'env-456' }],
  });
  status = await waitForStep(handle, 'connector.sync-preferences', 'waiting');
  expect(stepOf(status, 'connector.provisioning-ids')).toMatchObject({ state: 'done', by: 'zuora-support' });
  expect(status.openReminders).toEqual([]);
});
