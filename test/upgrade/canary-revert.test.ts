// Issue 14 on the real dev server: after the approval the migration writes a canary of N memos, shows its result and
// waits for a second approveStep before the rest; the whole migration's manifest (canary included) names every memo.
// Then `is-upgrade revert-migration` refuses once the connector steps have started, and with --force --reason sets
// the memos back after a dry run that counts them, the reason in the audit file; a second revert writes nothing.
import { readFileSync, writeFileSync } from 'node:fs';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { approveStepUpdate } from '../../src/shared/upgrade';
import type { RevertResult } from '../../src/shared/manifest';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { cliExpect } from '../helpers/cli';
import { useWorkflowSuite } from '../helpers/suite';
import { driveToMigrationApproval, stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

const TENANT = 'canary';
const suite = useWorkflowSuite({ queue: 'canary', stack: { tenantId: TENANT } });
const ana = 'ana@example.com';
const MEMOS = 120;
const CANARY = 10;

const writes = () => suite.stack.zuoraEmulator.admin.counters().writesPerCreditMemo;

test('canary of N memos, second approval, manifest of all; revert refused after the connector started, forced with a reason', async () => {
  suite.stack.zuoraEmulator.admin.seed({ migratedCreditMemos: MEMOS }); // Invoice Settlement enabled, memos No
  const handle = await suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: `is-upgrade-${TENANT}`,
    args: [{ tenantId: TENANT, oldConnectorInstanceId: 'old-1', options: { migrationCanaryMemos: CANARY } }],
  });
  try {
    await driveToMigrationApproval(handle, ana);
    await handle.executeUpdate(approveStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] });

    // The canary: N written, its result shown, and the step waits again.
    const s = await waitForStatus(
      handle,
      (x) => x.migration.canary !== undefined && stepOf(x, 'migrate.credit-memos').state === 'waiting',
      'the canary to be shown',
    );
    expect(Object.keys(writes())).toHaveLength(CANARY);
    expect(s.migration.canary).toMatchObject({ limit: CANARY, found: MEMOS, updated: CANARY, refused: 0 });
    expect(s.migration.canary!.manifest).toMatchObject({ changed: CANARY });
    expect(s.migration.result).toBeUndefined();
    // The second approval releases the rest (it is not a duplicate of the first).
    const released = await handle.executeUpdate(approveStepUpdate, {
      args: [{ by: 'bob@example.com', stepId: 'migrate.credit-memos' }],
    });
    expect(released.outcome).toBe('accepted');
    const after = await waitForStep(handle, 'connector.oauth-client', 'waiting');
    expect(stepOf(after, 'migrate.credit-memos').data).toMatchObject({
      approvedBy: ana,
      releasedBy: 'bob@example.com',
    });
    const memos = [...suite.stack.zuoraEmulator.state.creditMemos.values()].filter(
      (m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE,
    );
    expect(memos.every((m) => m.transferredToAccounting === 'Yes')).toBe(true);
    expect(Object.values(writes())).toEqual(memos.map(() => 1));
    // One manifest for the canary and the rest.
    const manifest = after.migration.result!.manifest!;
    expect(manifest).toMatchObject({ changed: MEMOS, memos: MEMOS });
    expect(readFileSync(manifest.location, 'utf8').trim().split('\n')).toHaveLength(MEMOS);

    // The connector steps have started: the revert refuses (exit 5), and writes nothing.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      TASK_QUEUE: suite.taskQueue,
      IS_OPERATOR: ana,
    };
    const refused = await cliExpect(['revert-migration', '--tenant', TENANT, '--dry-run'], env, 5);
    expect(refused.stderr).toMatch(
      /connector steps have started \(connector\.oauth-client is waiting\).*--force --reason/,
    );
    await cliExpect(['revert-migration', '--tenant', TENANT, '--force'], env, 2);
    const writesBefore = { ...writes() };
    const force = ['--force', '--reason', 'NetSuite ledger check failed'];
    // A manifest changed since the migration wrote it is refused before anything is read or written.
    const original = readFileSync(manifest.location, 'utf8');
    writeFileSync(manifest.location, original.replace('"before":"No"', '"before":"Error"'));
    const tampered = await cliExpect(['revert-migration', '--tenant', TENANT, ...force, '--yes'], env, 5);
    expect(tampered.stderr).toMatch(/does not match its checksum/);
    writeFileSync(manifest.location, original);
    const plan = await cliExpect(['revert-migration', '--tenant', TENANT, ...force, '--dry-run', '--json'], env);
    expect((JSON.parse(plan.stdout) as RevertResult).counts).toMatchObject({ 'would-set-back': MEMOS, 'set-back': 0 });
    expect(writes()).toEqual(writesBefore);
    const forced = await cliExpect(
      [
        'revert-migration',
        '--tenant',
        TENANT,
        '--force',
        '--reason',
        'NetSuite ledger check failed',
        '--yes',
        '--json',
      ],
      env,
    );
    const r = JSON.parse(forced.stdout) as RevertResult;
    expect(r.counts).toMatchObject({ 'set-back': MEMOS, refused: 0 });
    expect(r.forced).toEqual({ by: ana, reason: 'NetSuite ledger check failed' });
    expect(memos.every((m) => m.transferredToAccounting === 'No')).toBe(true);
    expect(Object.entries(writes()).every(([id, w]) => w === (writesBefore[id] ?? 0) + 1)).toBe(true);
    const audit = readFileSync(r.audit!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.at(-1)).toMatchObject({ by: ana, force: true, reason: 'NetSuite ledger check failed', dryRun: false });
    // A second revert finds every memo at its value before: nothing to set back, nothing written.
    const writesAfter = { ...writes() };
    const again = await cliExpect(['revert-migration', '--tenant', TENANT, ...force, '--yes', '--json'], env);
    expect((JSON.parse(again.stdout) as RevertResult).counts).toMatchObject({ 'would-set-back': 0, already: MEMOS });
    expect(again.stderr).toMatch(/Nothing to set back/);
    expect(writes()).toEqual(writesAfter);
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
