// Issue 14 on the real dev server, one upgrade through its migration: while the migration child is paused by the
// operator the upgrade waits on the operator (status, IsWaitingOn, `is-upgrade list --waiting-on operator`); when
// the child then FAILS, the manifest of what it wrote is consolidated all the same (sorted, with its sha256), the
// revert's dry run counts those memos, and `is-upgrade report` lists the manifest and the revert report with counts.
// The failure is injected where Zuora would cause it: the verification's Data Query comes back with no result file
// (FailureType.DataQueryNoResult, non-retryable, as src/activities/migration.ts raises it); everything else is real.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { FailureType } from '../../src/shared/failures';
import { MANIFEST_FILE, migrationManifestKey, type RevertResult } from '../../src/shared/manifest';
import { MIGRATION_CONTROL_DEFINITIONS } from '../../src/shared/migration-control';
import { IS_WAITING_ON } from '../../src/shared/search-attributes';
import { approveStepUpdate } from '../../src/shared/upgrade';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import type { LedgerFile } from '../../src/client/commands/ledger-files';
import { cliExpect, cliUntil } from '../helpers/cli';
import { useWorkflowSuite } from '../helpers/suite';
import { testWorker } from '../helpers/temporal';
import { driveToMigrationApproval, stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

const TENANT = 'paused-failed';
const MEMOS = 300;
const ana = 'ana@example.com';
let worker: Worker;
let running: Promise<void>;
// Before the suite's own: the worker stops before the connection closes.
afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
});
const suite = useWorkflowSuite({ queue: 'paused-failed', stack: { tenantId: TENANT }, worker: false });

beforeAll(async () => {
  const activities = suite.stack.activities(suite.env.client, suite.taskQueue);
  const query = activities.queryRemainingCreditMemos;
  // Pass 1 finds the memos; the verification (pass 2) fails for good.
  activities.queryRemainingCreditMemos = async (input) => {
    if (input.pass > 1) {
      throw ApplicationFailure.nonRetryable('Data Query job has no result file', FailureType.DataQueryNoResult);
    }
    return query(input);
  };
  ({ worker } = await testWorker(suite.env, activities, suite.taskQueue));
  running = worker.run();
});

test('paused migration: upgrade waits on the operator; failed migration: manifest consolidated, revert and report use it', async () => {
  const zuora = suite.stack.zuoraEmulator;
  zuora.admin.seed({ migratedCreditMemos: MEMOS });
  const workflowId = `is-upgrade-${TENANT}`;
  const handle = await suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId,
    args: [
      {
        tenantId: TENANT,
        oldConnectorInstanceId: 'old-1',
        // One request in flight, small chunks: the bulk update takes long enough to be paused mid-way.
        options: { migrationCanaryMemos: 0, migrationConcurrencyBudget: 1, migrationChunkRows: 100 },
      },
    ],
  });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TASK_QUEUE: suite.taskQueue,
    IS_OPERATOR: ana,
  };
  try {
    await driveToMigrationApproval(handle, ana);
    zuora.admin.configure({ latencyMs: 100 }); // each bulk PUT takes a while: the pause lands mid-migration
    await handle.executeUpdate(approveStepUpdate, { args: [{ by: ana, stepId: 'migrate.credit-memos' }] });

    // The operator pauses the migration child as soon as it runs.
    const child = suite.env.client.workflow.getHandle(`${workflowId}-credit-memos`);
    for (;;) {
      const taken = await child
        .executeUpdate(MIGRATION_CONTROL_DEFINITIONS.pause.update, { args: [{ by: ana, reason: 'hold for audit' }] })
        .catch(() => null); // not started yet
      if (taken) {
        expect(taken.outcome).toBe('accepted');
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const paused = await waitForStatus(
      handle,
      (s) => s.waitingOn === 'operator',
      'the upgrade to wait on the operator',
    );
    expect(stepOf(paused, 'migrate.credit-memos').state).toBe('running');
    expect(paused.migration.paused).toMatchObject({ by: ana, reason: 'hold for audit', source: 'operator' });
    expect((await handle.describe()).typedSearchAttributes.get(IS_WAITING_ON)).toBe('operator');
    await cliUntil(
      ['list', '--waiting-on', 'operator'],
      env,
      (r) => (new RegExp(`^${TENANT}\\s+${workflowId}\\s+RUNNING`, 'm').test(r.stdout) ? r : undefined),
      'list --waiting-on operator to show the upgrade',
    );
    const shown = await cliExpect(['status', '--tenant', TENANT], env);
    expect(shown.stdout).toMatch(/Waiting on: operator/);
    expect(shown.stdout).toMatch(/MIGRATION PAUSED by ana@example\.com .*hold for audit/);

    // Resumed: the upgrade no longer waits on the operator for it (then the verification fails: the step fails).
    await child.executeUpdate(MIGRATION_CONTROL_DEFINITIONS.resume.update, { args: [{ by: ana }] });
    const failed = await waitForStep(handle, 'migrate.credit-memos', 'failed', 60_000);
    expect(failed.migration.paused).toBeUndefined();
    expect(failed.audit.some((a) => /goes on again/.test(a.detail))).toBe(true);
    expect(stepOf(failed, 'migrate.credit-memos').error).toMatch(/no result file/);

    // The failed child left its manifest: every memo it wrote, sorted, with a sha256 that matches.
    const manifest = suite.stack.reports.pathFor(migrationManifestKey(TENANT), MANIFEST_FILE);
    expect(existsSync(manifest)).toBe(true);
    const entries = readFileSync(manifest, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; changed: boolean });
    expect(entries).toHaveLength(MEMOS);
    expect(entries.every((e) => e.changed)).toBe(true);
    expect(entries.map((e) => e.id)).toEqual(entries.map((e) => e.id).sort());
    const sha = createHash('sha256').update(readFileSync(manifest)).digest('hex');
    expect(readFileSync(`${manifest}.sha256`, 'utf8')).toMatch(new RegExp(`^${sha} {2}`));

    // The revert can use it: its dry run counts every memo (the connector steps have not started).
    const plan = await cliExpect(['revert-migration', '--tenant', TENANT, '--dry-run', '--json'], env);
    expect((JSON.parse(plan.stdout) as RevertResult).counts).toMatchObject({ 'would-set-back': MEMOS });

    // The report lists the manifest and the revert's report, with their counts.
    const reportsDir = suite.stack.reports.root;
    const report = await cliExpect(
      ['report', '--tenant', TENANT, '--format', 'json', '--reports-dir', reportsDir],
      env,
    );
    const ledger = (JSON.parse(report.stdout) as { ledger: LedgerFile[] }).ledger;
    expect(ledger).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'manifest', path: manifest, memos: MEMOS, counts: { changed: MEMOS } }),
        expect.objectContaining({ kind: 'revert-dry-run-report', memos: MEMOS, counts: { 'would-set-back': MEMOS } }),
      ]),
    );
    expect(ledger.find((f) => f.kind === 'manifest')!.checksum).toBe('ok');
    const csv = await cliExpect(['report', '--tenant', TENANT, '--reports-dir', reportsDir], env);
    expect(csv.stderr).toMatch(
      new RegExp(`Manifest: .*credit-memo-manifest\\.jsonl \\(${MEMOS} memo\\(s\\): ${MEMOS} changed; sha256 ok\\)`),
    );
    expect(csv.stderr).toMatch(/Revert dry-run report: .*would-set-back/);
  } finally {
    zuora.admin.configure({ latencyMs: 0 });
    await handle.terminate('test done').catch(() => undefined);
  }
});
