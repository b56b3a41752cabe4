// The upgrade's final credit memo sync (step prepare.final-credit-memo-sync) asks the operator instead of passing
// silently (issue 12, point 3), on the real Temporal dev server with both emulators. From seed 002 / docs/zuora.md §7:
// both NetSuite credit memo syncs are disabled by default; a memo must be fully applied to sync; the syncs exist only
// without Invoice Settlement, so a memo left behind by the final run can never sync.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { deleteSyncSchedule } from '../../src/temporal/schedules';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import type { DemoTenant } from '../../emulators/netsuite/seed';
import { completeStepUpdate, creditMemoScheduleId, retryStepUpdate, skipStepUpdate } from '../../src/shared/upgrade';
import { renderChecklist as renderCliChecklist } from '../../src/client/render';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { renderUpgradeMarkdown as renderWebUiChecklist } from '../../src/workflows/upgrade/render';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';
import { stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

const TENANT = 'final-sync';
const suite = useWorkflowSuite({ queue: 'final-sync', stack: { tenantId: TENANT } });
const STEP = 'prepare.final-credit-memo-sync';
const by = 'ana@example.com';

function seedTenant(): DemoTenant {
  suite.stack.zuoraEmulator.admin.reset();
  suite.stack.netsuiteEmulator.admin.reset();
  const demo = suite.stack.netsuiteEmulator.admin.seed({ demo: true }).demo!;
  suite.stack.zuoraEmulator.admin.seed({ demo: true });
  mirrorNetSuiteIntoZuora(suite.stack.netsuiteEmulator, suite.stack.zuoraEmulator.state);
  return demo;
}

const startUpgrade = (): Promise<WorkflowHandle> =>
  suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: `is-upgrade-${TENANT}`,
    args: [{ tenantId: TENANT, oldConnectorInstanceId: 'old-instance-1' }],
  });

const adjustments = (referenceId: number) =>
  [...suite.stack.zuoraEmulator.state.invoiceAdjustments.values()].filter((a) => a.ReferenceId === String(referenceId));

afterEach(async () => {
  const h = suite.env.client.workflow.getHandle(`is-upgrade-${TENANT}`);
  try {
    if ((await h.describe()).status.name === 'RUNNING') await h.terminate('test cleanup');
  } catch {
    /* never started */
  }
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
});

test('no schedule: the final sync asks which syncs were enabled, runs with the answer, and lists memos not fully applied', async () => {
  const demo = seedTenant();
  const handle = await startUpgrade();

  // No schedule: it does not run with both syncs off; it says so and waits for the operator's answer.
  let s = await waitForStep(handle, STEP, 'waiting');
  expect(s.waitingOn).toBe('operator');
  expect(stepOf(s, STEP).data).toMatchObject({ question: 'which-syncs', scheduleFound: false });
  expect(s.syncs.finalCreditMemoSync).toBeUndefined();
  // The CLI's and the Web UI's "Next" say how to answer this question, not the generic completion.
  expect(renderCliChecklist(s)).toContain(
    `is-upgrade complete --tenant ${s.tenantId} --step ${STEP} --data standard=true|false --data negativeBalance=true|false`,
  );
  expect(renderWebUiChecklist(s)).toMatch(/\*\*Next:\*\* the syncs the tenant had enabled: `completeStep .*"standard"/);
  const refused = await handle
    .executeUpdate(completeStepUpdate, { args: [{ by, stepId: STEP }] })
    .catch((err: unknown) => err);
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(
    /data\.standard and data\.negativeBalance/,
  );

  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by, stepId: STEP, data: { standard: true, negativeBalance: false } }],
  });

  // The final sync ran with the standard sync on: the eligible standard memo synced, the negative balance one did not.
  s = await waitForStatus(handle, (x) => stepOf(x, STEP).data.question === 'not-fully-applied', 'the memo list');
  expect(adjustments(demo.creditMemos.standardEligible)).toHaveLength(1);
  expect(adjustments(demo.creditMemos.negativeBalance)).toHaveLength(0);
  expect(stepOf(s, STEP).state).toBe('waiting');
  expect(renderCliChecklist(s)).toContain(`apply them in NetSuite, then: is-upgrade retry --tenant ${s.tenantId}`);
  expect(renderWebUiChecklist(s)).toContain('**Next:** apply the listed memos in NetSuite');
  // The memos not fully applied are listed by number, not only counted.
  const listed = stepOf(s, STEP).data.notFullyApplied as { count: number; memos: string[]; report: string };
  expect(listed.count).toBe(2);
  expect(listed.memos.sort()).toEqual(
    [`CM${demo.creditMemos.partlyApplied}`, `CM${demo.creditMemos.unapplied}`].sort(),
  );
  expect(suite.stack.reports.readJsonLines(listed.report)).toHaveLength(2);

  // The operator applies one of them in NetSuite and asks for the final sync again: it syncs, the other is listed.
  const account = suite.stack.netsuiteEmulator.admin.account;
  account.applyCreditMemo(demo.creditMemos.partlyApplied, { invoice: demo.invoices.acme5, amount: 30 });
  await handle.executeUpdate(retryStepUpdate, { args: [{ by, stepId: STEP }] });
  s = await waitForStatus(
    handle,
    (x) =>
      stepOf(x, STEP).state === 'waiting' &&
      (stepOf(x, STEP).data.notFullyApplied as { count: number } | undefined)?.count === 1,
    'the shorter memo list',
  );
  expect((stepOf(s, STEP).data.notFullyApplied as { memos: string[] }).memos).toEqual([
    `CM${demo.creditMemos.unapplied}`,
  ]);

  // Going on without it is the operator's explicit decision, recorded on the step.
  await handle.executeUpdate(completeStepUpdate, { args: [{ by, stepId: STEP }] });
  s = await waitForStep(handle, STEP, 'done');
  expect(stepOf(s, STEP).data).toMatchObject({
    syncsGiven: { standard: true, negativeBalance: false, by },
    notFullyAppliedAccepted: { count: 1, by },
  });
  await recordHistory(handle, 'upgrade-final-sync-asks-operator');
});

test('a schedule whose input cannot be read: the final sync says so and asks; skipStep still ends the wait', async () => {
  seedTenant();
  // A schedule left by an older version, with an input the sync's schema refuses.
  await suite.env.client.schedule.create({
    scheduleId: creditMemoScheduleId(TENANT),
    spec: { intervals: [{ every: '30m' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncNetSuiteCreditMemos',
      taskQueue: suite.taskQueue,
      args: [{ tenantId: TENANT, standard: 'yes' }],
    },
    state: { paused: true },
  });
  const handle = await startUpgrade();
  const s = await waitForStep(handle, STEP, 'waiting');
  expect(stepOf(s, STEP).data).toMatchObject({
    question: 'which-syncs',
    scheduleFound: true,
    scheduleInputError: expect.stringMatching(/not valid/),
  });
  await handle.executeUpdate(skipStepUpdate, { args: [{ by, stepId: STEP, reason: 'synced by Zuora services' }] });
  await waitForStep(handle, STEP, 'skipped');
});
