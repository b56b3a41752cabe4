// invoiceSettlementUpgrade end to end on the real Temporal dev server (Schedules need it), both emulators in-process,
// driven only by the messages an operator sends.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describeSyncSchedule, ensureSyncSchedule, deleteSyncSchedule } from '../../src/temporal/schedules';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import {
  approveStepUpdate,
  completeStepSignal,
  completeStepUpdate,
  invoiceSettlementEnabledSignal,
  invoiceSettlementEnabledUpdate,
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  MIGRATION_SKIP_RISK,
  pauseSignal,
  pauseUpdate,
  provisioningIdsReceivedSignal,
  provisioningIdsReceivedUpdate,
  resumeUpdate,
  retryStepUpdate,
  reuseExistingIdsUpdate,
  skipStepSignal,
  skipStepUpdate,
  statusQuery,
  type UpgradeStatus,
} from '../../src/shared/upgrade';
import { renderChecklist as renderCliChecklist } from '../../src/client/render';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { renderUpgradeMarkdown } from '../../src/workflows/upgrade/render';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';
import { answerFinalCreditMemoSync, stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

/**
 * The activities refuse a tenant other than the worker's: these tests use the worker's tenant, one at a time. Not
 * `demo`: files that run at the same time on this shared server drive upgrades of other tenants, each its own.
 */
const TENANT = 'upgrade';
const suite = useWorkflowSuite({ queue: 'upgrade', stack: { tenantId: TENANT } });

const ana = 'ana@example.com';

/** Each test gets its own tenant id: workflow ids and schedule ids are per tenant. */
async function startUpgrade(tenantId: string, options: Record<string, unknown> = {}): Promise<WorkflowHandle> {
  return suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: `is-upgrade-${tenantId}`,
    args: [{ tenantId, oldConnectorInstanceId: 'old-instance-1', options }],
  });
}

async function rejectionOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return String((err as WorkflowUpdateFailedError).cause?.message);
  }
  throw new Error('expected the update to be rejected');
}

function seedTenant() {
  suite.stack.zuoraEmulator.admin.reset();
  suite.stack.netsuiteEmulator.admin.reset();
  suite.stack.netsuiteEmulator.admin.seed({ demo: true });
  suite.stack.zuoraEmulator.admin.seed({ demo: true });
  mirrorNetSuiteIntoZuora(suite.stack.netsuiteEmulator, suite.stack.zuoraEmulator.state);
}

/** What the operator does while step 2 waits: sync the listed records (here: mark them synced in the emulator). */
function syncEverythingToNetSuite() {
  const s = suite.stack.zuoraEmulator.state;
  for (const r of [...s.invoiceItemAdjustments.values(), ...s.invoices.values()])
    r.IntegrationStatus__NS = 'Sync Complete';
}

afterEach(async () => {
  // Leave no upgrade running for the next test (same tenant id).
  const h = suite.env.client.workflow.getHandle(`is-upgrade-${TENANT}`);
  try {
    const d = await h.describe();
    if (d.status.name === 'RUNNING') await h.terminate('test cleanup');
  } catch {
    /* never started */
  }
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
  await deleteSyncSchedule(suite.env.client, 'payment', TENANT);
});

test('a whole upgrade, driven only by operator messages, ends with every step done and the ledger right', async () => {
  seedTenant();
  // The tenant ran the credit memo sync on a schedule before the upgrade.
  await ensureSyncSchedule(suite.env.client, {
    kind: 'credit-memo',
    tenantId: TENANT,
    interval: '30m',
    input: { tenantId: TENANT, standard: true, negativeBalance: true },
    taskQueue: suite.taskQueue,
    paused: false,
  });
  const handle = await startUpgrade(TENANT);

  // 1. final sync runs by itself and pauses the schedule; the demo's memos not fully applied are accepted as left
  // behind; 2. some records are not synced to NetSuite: it waits.
  await answerFinalCreditMemoSync(handle, ana);
  let s = await waitForStep(handle, 'prepare.verify-zuora-synced', 'waiting');
  expect(stepOf(s, 'prepare.final-credit-memo-sync')).toMatchObject({ state: 'done' });
  expect((await describeSyncSchedule(suite.env.client, 'credit-memo', TENANT))?.state.paused).toBe(true);
  const unsynced = stepOf(s, 'prepare.verify-zuora-synced').data as { itemAdjustments: { count: number } };
  expect(unsynced.itemAdjustments.count).toBeGreaterThan(0);
  expect(s.waitingOn).toBe('operator');
  syncEverythingToNetSuite();
  await handle.executeUpdate(retryStepUpdate, { args: [{ by: ana, stepId: 'prepare.verify-zuora-synced' }] });

  // 3. manual
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
  await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }] });

  // 4. a claim the Zuora API does not confirm is recorded and the wait goes on
  s = await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  expect(s.waitingOn).toBe('zuora-support');
  await handle.executeUpdate(invoiceSettlementEnabledUpdate, { args: [{ by: 'bob@example.com' }] });
  s = await waitForStatus(
    handle,
    (x) => x.audit.some((a) => a.outcome === 'rejected' && /not confirmed/.test(a.detail)),
    'the wrong claim to be recorded',
  );
  expect(stepOf(s, 'enable-invoice-settlement').state).toBe('waiting');
  const negativeInvoices = [...suite.stack.zuoraEmulator.state.invoices.values()].filter(
    (i) => Number(i.Amount) < 0,
  ).length;
  suite.stack.zuoraEmulator.admin.enableInvoiceSettlement();
  await handle.signal(invoiceSettlementEnabledSignal, { by: ana });

  // 5. dry run, then approval, then the bulk update
  s = await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  expect(s.migration.dryRun?.found).toBe(negativeInvoices);
  // The seed's filter counted by Transferred To Accounting, a null group included, in the status and both checklists.
  const migratedBefore = [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
  expect(migratedBefore.some((m) => m.transferredToAccounting === null)).toBe(true);
  expect(s.migration.dryRun?.byTransferredToAccounting).toContainEqual({
    transferredToAccounting: null,
    memos: migratedBefore.filter((m) => m.transferredToAccounting === null).length,
  });
  expect(renderUpgradeMarkdown(s)).toMatch(/By Transferred To Accounting: .*\(empty\) \d+/);
  expect(renderCliChecklist(s)).toMatch(/By Transferred To Accounting: .*\(empty\) \d+/);
  const outcome = await handle.executeUpdate(approveStepUpdate, {
    args: [{ by: ana, stepId: 'migrate.credit-memos', note: 'dry run reviewed' }],
  });
  expect(outcome.outcome).toBe('accepted');

  // Provisioning ids arrive early (before the ticket step): kept for their step.
  const early = await handle.executeUpdate(provisioningIdsReceivedUpdate, {
    args: [{ by: 'zuora-support', accountId: 'acc-7781', environmentId: 'env-5521', ticketId: 'T-1' }],
  });
  expect(early.outcome).toBe('kept-for-later');

  // 6-8. manual connector steps with their data
  await waitForStep(handle, 'connector.oauth-client', 'waiting');
  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'connector.oauth-client', data: { oauthClientId: 'oauth-client-42' } }],
  });
  await waitForStep(handle, 'connector.new-instance', 'waiting');
  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'connector.new-instance', data: { newInstanceId: 'new-instance-2' } }],
  });
  // Seed 000 step 5: the credentials go into the instance's pop-up; the workflow only hears that it is done.
  await waitForStep(handle, 'connector.instance-credentials', 'waiting');
  await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'connector.instance-credentials' }] });
  s = await waitForStep(handle, 'connector.support-ticket', 'waiting');
  // The provisioning ids kept earlier chose the support-ticket path: the re-use path's steps are not needed.
  expect(s.connectorPath).toBe('support-ticket');
  expect(stepOf(s, 'connector.existing-ids')).toMatchObject({ state: 'skipped' });
  const ticket = suite.stack.notifier.sent.find((n) => n.kind === 'support-ticket');
  expect(ticket?.text).toContain('Old connector instance id: old-instance-1');
  expect(ticket?.text).toContain('New connector instance id: new-instance-2');
  await handle.signal(completeStepSignal, { by: ana, stepId: 'connector.support-ticket', data: { ticketId: 'T-1' } });

  // Provisioning ids already answered (kept): the re-use path's steps are not needed; the rest is manual.
  for (const id of [
    'connector.sync-preferences',
    'connector.retire-old',
    'payments.zuora-sync-updates-default',
  ] as const) {
    await waitForStep(handle, id, 'waiting');
    await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: id }] });
  }

  // 13-14 run by themselves
  const final: UpgradeStatus = await handle.result();
  await recordHistory(handle, 'upgrade-finished-support-ticket-path');
  await recordHistory(
    suite.env.client.workflow.getHandle(`is-upgrade-${TENANT}-credit-memos`),
    'migrate-child-finished',
  );
  const notNeeded = ['connector.existing-ids', 'connector.new-oauth-client'];
  expect(final.steps.map((x) => [x.id, x.state])).toEqual(
    final.steps.map((x) => [x.id, notNeeded.includes(x.id) ? 'skipped' : 'done']),
  );
  for (const id of notNeeded) {
    expect(final.steps.find((x) => x.id === id)?.note).toBe('not needed: support-ticket path (new ids from Zuora)');
  }
  expect(final.connectorPath).toBe('support-ticket');
  expect(final.phase).toBe('done');
  expect(stepOf(final, 'connector.provisioning-ids').data).toMatchObject({
    accountId: 'acc-7781',
    environmentId: 'env-5521',
  });
  expect(stepOf(final, 'migrate.credit-memos').data).toMatchObject({ approvedBy: ana, remaining: 0 });
  expect(final.migration.result).toMatchObject({
    verified: true,
    remaining: 0,
    updated: negativeInvoices,
    byTransferredToAccounting: [{ transferredToAccounting: 'Yes', memos: negativeInvoices }],
  });

  // Emulator state: every migrated memo Yes, each written once; schedules switched.
  const memos = [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
    (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
  );
  expect(memos.length).toBe(negativeInvoices);
  expect(memos.every((m) => m.transferredToAccounting === 'Yes')).toBe(true);
  expect(Math.max(...Object.values(suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo))).toBe(1);
  expect(await describeSyncSchedule(suite.env.client, 'credit-memo', TENANT)).toBeNull();
  const payment = await describeSyncSchedule(suite.env.client, 'payment', TENANT);
  expect(payment?.state.paused).toBe(false);
  expect(
    Object.values(suite.stack.zuoraEmulator.admin.counters().adjustmentsPerReferenceId).every((n) => n === 1),
  ).toBe(true);

  // The audit log says who did what.
  const accepted = final.audit.filter((a) => a.outcome === 'accepted').map((a) => `${a.message}:${a.by}`);
  expect(accepted).toEqual(
    expect.arrayContaining([
      `retryStep:${ana}`,
      `invoiceSettlementEnabled:bob@example.com`,
      `invoiceSettlementEnabled:${ana}`,
      `approveStep:${ana}`,
      `completeStep:${ana}`,
    ]),
  );
  expect(final.audit.some((a) => a.outcome === 'kept-for-later' && a.message === 'provisioningIdsReceived')).toBe(true);
  expect(suite.stack.notifier.sent.some((n) => n.kind === 'done')).toBe(true);

  // A second start for the same tenant is refused.
  await expect(
    suite.env.client.workflow.start(invoiceSettlementUpgrade, {
      taskQueue: suite.taskQueue,
      workflowId: `is-upgrade-${TENANT}`,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{ tenantId: TENANT, oldConnectorInstanceId: 'old-instance-1' }],
    }),
  ).rejects.toThrow(/already started/i);
});

/** The Web UI's checklist (User Metadata → Current Details): what the workflow last set with setCurrentDetails. */
async function webUiChecklist(handle: WorkflowHandle): Promise<string> {
  const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

/** Steps 1-7 as an operator walks them when nothing is left unsynced: up to the connector's new instance. */
async function driveToNewInstance(handle: WorkflowHandle): Promise<void> {
  await answerFinalCreditMemoSync(handle, ana);
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
  await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }] });
  await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  suite.stack.zuoraEmulator.admin.enableInvoiceSettlement();
  await handle.executeUpdate(invoiceSettlementEnabledUpdate, { args: [{ by: ana }] });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  await handle.executeUpdate(approveStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] });
  await waitForStep(handle, 'connector.oauth-client', 'waiting');
  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'connector.oauth-client', data: { oauthClientId: 'oauth-client-42' } }],
  });
  await waitForStep(handle, 'connector.new-instance', 'waiting');
  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'connector.new-instance', data: { newInstanceId: 'new-instance-2' } }],
  });
}

test('seed 001: re-using the existing AccountId and EnvironmentId instead of the ticket, then a new Zuora OAuth', async () => {
  seedTenant();
  syncEverythingToNetSuite();
  const handle = await startUpgrade(TENANT);
  await driveToNewInstance(handle);
  await waitForStep(handle, 'connector.instance-credentials', 'waiting');
  expect(await webUiChecklist(handle)).toContain(
    '**Next:** `completeStep { "stepId": "connector.instance-credentials", "by": "…" }`',
  );
  await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'connector.instance-credentials' }] });

  // At the ticket step the path is still open: the checklist offers both.
  let s = await waitForStep(handle, 'connector.support-ticket', 'waiting');
  expect(s.connectorPath).toBeNull();
  const open = await webUiChecklist(handle);
  expect(open).toContain('**Connector path:** not chosen yet');
  expect(open).toMatch(/\*\*Next:\*\* `completeStep .*connector\.support-ticket.*` — or re-use .*`reuseExistingIds \{/);

  // Ids are validated as provisioning ids are; a good choice skips the ticket steps and records the ids.
  expect(
    await rejectionOf(
      handle.executeUpdate(reuseExistingIdsUpdate, { args: [{ by: ana, accountId: 'x', environmentId: 'env 1' }] }),
    ),
  ).toMatch(/accountId: accountId must be 3-64 letters.*environmentId: environmentId must be 3-64/);
  const chosen = await handle.executeUpdate(reuseExistingIdsUpdate, {
    args: [{ by: ana, accountId: 'acc-existing-1', environmentId: 'env-existing-1' }],
  });
  expect(chosen.outcome).toBe('accepted');
  s = await waitForStep(handle, 'connector.new-oauth-client', 'waiting');
  for (const id of ['connector.support-ticket', 'connector.provisioning-ids'] as const) {
    expect(stepOf(s, id)).toMatchObject({ state: 'skipped', by: ana, note: 'not needed: re-using existing ids' });
  }
  expect(stepOf(s, 'connector.existing-ids')).toMatchObject({
    state: 'done',
    by: ana,
    data: { accountId: 'acc-existing-1', environmentId: 'env-existing-1' },
  });
  expect(s.connectorPath).toBe('reuse-existing-ids');
  expect(await webUiChecklist(handle)).toContain('**Connector path:** re-using the AccountId and EnvironmentId');

  // The path is taken: Zuora's ids, other existing ids and the ticket are refused; the same ids are a duplicate.
  expect(
    await rejectionOf(
      handle.executeUpdate(provisioningIdsReceivedUpdate, {
        args: [{ by: 'zuora-support', accountId: 'acc-7781', environmentId: 'env-5521' }],
      }),
    ),
  ).toMatch(/connector\.provisioning-ids was skipped \(not needed: re-using existing ids\)/);
  expect(
    await rejectionOf(
      handle.executeUpdate(reuseExistingIdsUpdate, {
        args: [{ by: ana, accountId: 'acc-other-2', environmentId: 'env-existing-1' }],
      }),
    ),
  ).toMatch(/existing ids were already recorded .*cannot be changed/);
  const again = await handle.executeUpdate(reuseExistingIdsUpdate, {
    args: [{ by: ana, accountId: 'acc-existing-1', environmentId: 'env-existing-1' }],
  });
  expect(again.outcome).toBe('duplicate');
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, {
        args: [{ by: ana, stepId: 'connector.support-ticket', data: { ticketId: 'T-1' } }],
      }),
    ),
  ).toMatch(/step connector\.support-ticket was skipped/);

  // Seed 001: a NEW Zuora OAuth client once the instance details are updated — not the one of step 6.
  expect(stepOf(s, 'connector.new-oauth-client').note).toMatch(
    /AccountId acc-existing-1, EnvironmentId env-existing-1/,
  );
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, {
        args: [{ by: ana, stepId: 'connector.new-oauth-client', data: { oauthClientId: 'oauth-client-42' } }],
      }),
    ),
  ).toMatch(/needs a NEW OAuth client/);
  await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'connector.new-oauth-client', data: { oauthClientId: 'oauth-client-43' } }],
  });
  for (const id of [
    'connector.sync-preferences',
    'connector.retire-old',
    'payments.zuora-sync-updates-default',
  ] as const) {
    await waitForStep(handle, id, 'waiting');
    await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: id }] });
  }

  const final: UpgradeStatus = await handle.result();
  await recordHistory(handle, 'upgrade-finished-reuse-existing-ids');
  const skipped = ['connector.support-ticket', 'connector.provisioning-ids'];
  expect(final.steps.map((x) => [x.id, x.state])).toEqual(
    final.steps.map((x) => [x.id, skipped.includes(x.id) ? 'skipped' : 'done']),
  );
  expect(stepOf(final, 'connector.new-oauth-client').data).toEqual({ oauthClientId: 'oauth-client-43' });
  expect(final.connectorPath).toBe('reuse-existing-ids');
});

test("the path chosen at start: the other path's steps show as not needed from the first moment", async () => {
  seedTenant();
  // Paused at start, so nothing runs: only the plan is looked at.
  const start = (tenantId: string, connectorPath: string) =>
    suite.env.client.workflow.signalWithStart(invoiceSettlementUpgrade, {
      taskQueue: suite.taskQueue,
      workflowId: `is-upgrade-${tenantId}`,
      args: [{ tenantId, oldConnectorInstanceId: 'old-instance-1', options: { connectorPath } as never }],
      signal: pauseSignal,
      signalArgs: [{ by: ana, reason: 'look at the plan' }],
    });
  const reuse = await start(TENANT, 'reuse-existing-ids');
  let s = await waitForStatus(reuse, (x) => x.paused !== null, 'the pause');
  expect(s.connectorPath).toBe('reuse-existing-ids');
  expect(s.steps.filter((x) => x.state === 'skipped').map((x) => [x.id, x.note])).toEqual([
    ['connector.support-ticket', 'not needed: re-using existing ids'],
    ['connector.provisioning-ids', 'not needed: re-using existing ids'],
  ]);
  // The ids may come early: kept for their step.
  const early = await reuse.executeUpdate(reuseExistingIdsUpdate, {
    args: [{ by: ana, accountId: 'acc-existing-1', environmentId: 'env-existing-1' }],
  });
  expect(early.outcome).toBe('kept-for-later');
  await reuse.terminate('plan checked');

  const ticket = await start(`${TENANT}-ticket`, 'support-ticket');
  s = await waitForStatus(ticket, (x) => x.paused !== null, 'the pause');
  expect(s.steps.filter((x) => x.state === 'skipped').map((x) => [x.id, x.note])).toEqual([
    ['connector.existing-ids', 'not needed: support-ticket path (new ids from Zuora)'],
    ['connector.new-oauth-client', 'not needed: support-ticket path (new ids from Zuora)'],
  ]);
  expect(
    await rejectionOf(
      ticket.executeUpdate(reuseExistingIdsUpdate, {
        args: [{ by: ana, accountId: 'acc-existing-1', environmentId: 'env-existing-1' }],
      }),
    ),
  ).toMatch(/started with options\.connectorPath "support-ticket"/);
  await ticket.terminate('plan checked');
});

test('bad and duplicate messages: updates say what is wrong, signals are recorded as rejected, nothing changes', async () => {
  seedTenant();
  syncEverythingToNetSuite();
  const handle = await startUpgrade(TENANT);
  await answerFinalCreditMemoSync(handle, ana);
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');

  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'no.such-step' } as never] }),
    ),
  ).toMatch(/stepId must be one of: prepare\.final-credit-memo-sync/);
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, { args: [{ stepId: 'prepare.freeze-negative-invoices' } as never] }),
    ),
  ).toMatch(/"by" is required/);
  expect(
    await rejectionOf(handle.executeUpdate(approveStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] })),
  ).toMatch(/step migrate\.credit-memos is not waiting for approval/);
  expect(
    await rejectionOf(
      handle.executeUpdate(provisioningIdsReceivedUpdate, {
        args: [{ by: ana, accountId: 'x', environmentId: 'env 1' }],
      }),
    ),
  ).toMatch(/accountId: accountId must be 3-64 letters.*environmentId: environmentId must be 3-64/);
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, {
        args: [{ by: ana, stepId: 'connector.oauth-client', data: { clientSecret: 's3cr3t' } }],
      }),
    ),
  ).toMatch(/data\.clientSecret: this key names a secret/);
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'connector.new-instance' }] }),
    ),
  ).toMatch(/needs data\.newInstanceId/);
  expect(
    await rejectionOf(
      handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] }),
    ),
  ).toMatch(/not a manual step/);
  expect(
    await rejectionOf(
      handle.executeUpdate(skipStepUpdate, { args: [{ by: ana, stepId: 'connector.retire-old', reason: '' }] }),
    ),
  ).toMatch(/reason is required/);
  expect(
    await rejectionOf(
      handle.executeUpdate(retryStepUpdate, { args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }] }),
    ),
  ).toMatch(/is not failed/);

  // Bad signals: recorded as rejected, nothing changes.
  const before = await handle.query(statusQuery);
  await handle.signal(provisioningIdsReceivedSignal, { by: ana, accountId: '', environmentId: 'env-1' });
  await handle.signal(completeStepSignal, { stepId: 'prepare.freeze-negative-invoices' } as never);
  let s = await waitForStatus(
    handle,
    (x) => x.audit.filter((a) => a.outcome === 'rejected').length >= 2,
    'two rejected signals',
  );
  expect(s.steps).toEqual(before.steps);
  expect(s.audit.filter((a) => a.outcome === 'rejected').map((a) => a.detail)).toEqual([
    expect.stringMatching(/accountId/),
    expect.stringMatching(/"by" is required/),
  ]);

  // Duplicates are harmless.
  const first = await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }],
  });
  const again = await handle.executeUpdate(completeStepUpdate, {
    args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }],
  });
  expect([first.outcome, again.outcome]).toEqual(['accepted', 'duplicate']);

  // Pause holds before the next step; resume goes on. Pausing twice is a duplicate.
  s = await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  await handle.executeUpdate(pauseUpdate, { args: [{ by: ana, reason: 'month-end close' }] });
  expect((await handle.executeUpdate(pauseUpdate, { args: [{ by: ana, reason: 'again' }] })).outcome).toBe('duplicate');
  suite.stack.zuoraEmulator.admin.enableInvoiceSettlement();
  await handle.executeUpdate(invoiceSettlementEnabledUpdate, { args: [{ by: ana }] });
  s = await waitForStep(handle, 'enable-invoice-settlement', 'done');
  // Paused: the migration step does not start.
  s = await handle.query(statusQuery);
  expect(stepOf(s, 'migrate.credit-memos').state).toBe('pending');
  expect(s.paused).toMatchObject({ by: ana, reason: 'month-end close' });
  expect(s.waitingOn).toBe('operator');
  await handle.executeUpdate(resumeUpdate, { args: [{ by: ana }] });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');

  // Skipping the migration needs a reason and an acknowledgement that names the risk (the new connector syncs
  // every memo that is not Yes, docs/zuora.md §7); without it the connector steps do not start.
  const unacknowledged = await rejectionOf(
    handle.executeUpdate(skipStepUpdate, {
      args: [{ by: ana, stepId: 'migrate.credit-memos', reason: 'done by Zuora services' }],
    }),
  );
  expect(unacknowledged).toMatch(/new-connector-resyncs-unmigrated-memos.*No, Error or Processing/);
  await handle.signal(skipStepSignal, { by: ana, stepId: 'migrate.credit-memos', reason: 'done by Zuora services' });
  s = await waitForStatus(
    handle,
    (x) => x.audit.some((a) => a.message === 'skipStep' && a.outcome === 'rejected'),
    'the unacknowledged skip signal to be recorded as rejected',
  );
  expect(stepOf(s, 'migrate.credit-memos').state).toBe('waiting');
  expect(stepOf(s, 'connector.oauth-client').state).toBe('pending');
  expect(s.migration.skipped).toBeUndefined();

  await handle.executeUpdate(skipStepUpdate, {
    args: [
      {
        by: ana,
        stepId: 'migrate.credit-memos',
        reason: 'done by Zuora services',
        acknowledge: MIGRATION_SKIP_ACKNOWLEDGEMENT,
      },
    ],
  });
  s = await waitForStep(handle, 'connector.oauth-client', 'waiting');
  expect(stepOf(s, 'migrate.credit-memos')).toMatchObject({
    state: 'skipped',
    by: ana,
    note: 'skipped: done by Zuora services',
  });
  // The status, the checklist in the Web UI and the CLI say what the skip risks.
  expect(s.migration.skipped).toEqual({
    by: ana,
    reason: 'done by Zuora services',
    acknowledged: MIGRATION_SKIP_ACKNOWLEDGEMENT,
    risk: MIGRATION_SKIP_RISK,
  });
  expect(renderUpgradeMarkdown(s)).toContain(MIGRATION_SKIP_RISK);
  expect(renderCliChecklist(s)).toContain(`WARNING: migration skipped by ${ana}`);
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await recordHistory(handle, 'upgrade-mid-run-messages');
});

test('a second start for the same tenant while one runs is refused with a clear message', async () => {
  seedTenant();
  await startUpgrade(TENANT);
  await expect(startUpgrade(TENANT)).rejects.toThrow(/already started/i);
});
