// The readiness preflight on the real Temporal server (issue 14 point 1): before the enablement request the upgrade
// runs Zuora's "Validate transactions" checklist (docs/zuora.md §10) as queries through our Zuora client, lists each
// row's offenders in a report, and waits until every row is clean or acknowledged by name with a reason. The tenant
// is seeded with one offender per row and a look-alike that is not one (emulators/zuora/seed.ts,
// seedReadinessOffenders): the expectations come from the checklist's filters, not from a run.
import { readFileSync } from 'node:fs';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import { READINESS_ROW_NAMES, READINESS_STEP, type ReadinessRow } from '../../src/shared/readiness';
import { MESSAGE_DEFINITIONS, completeStepUpdate, retryStepUpdate, skipStepUpdate } from '../../src/shared/upgrade';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';
import { answerFinalCreditMemoSync, stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

// Its own tenant (is-upgrade-readiness, its own schedules and sync runs): files that run at the same time on this
// shared server drive upgrades of other tenants.
const TENANT = 'readiness';
const suite = useWorkflowSuite({ queue: 'readiness', stack: { tenantId: TENANT } });
const ana = 'ana@example.com';
const acknowledge = MESSAGE_DEFINITIONS.acknowledgeReadiness.update;

type Rows = Record<ReadinessRow, { count: number; listed: string[] }>;

test('offenders of every row are listed in a report; the step waits until each row is clean or acknowledged', async () => {
  const { zuoraEmulator, netsuiteEmulator } = suite.stack;
  zuoraEmulator.admin.reset();
  netsuiteEmulator.admin.reset();
  netsuiteEmulator.admin.seed({ demo: true });
  zuoraEmulator.admin.seed({ demo: true, readinessOffenders: 'every-row' });
  mirrorNetSuiteIntoZuora(netsuiteEmulator, zuoraEmulator.state);
  const z = zuoraEmulator.state;
  const byNumber = (prefix: string, pick: (r: Record<string, unknown>) => boolean) =>
    [...z.invoices.values(), ...z.payments.values(), ...z.accounts.values()]
      .filter((r) => Object.values(r).some((v) => typeof v === 'string' && v.startsWith(prefix)) && pick(r))
      .map((r) => String(r.InvoiceNumber ?? r.PaymentNumber ?? r.AccountNumber));

  const handle = await suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: `is-upgrade-${TENANT}`,
    args: [{ tenantId: TENANT, oldConnectorInstanceId: 'old-instance-1' }],
  });
  // Terminated here, not in afterAll (the suite's own afterAll closes the client first): nothing of this file is left
  // running on the shared server.
  try {
    await answerFinalCreditMemoSync(handle, ana);
    // Step 2 lists the unsynced negative invoices too; the operator goes on and deals with them in the preflight.
    await waitForStep(handle, 'prepare.verify-zuora-synced', 'waiting');
    await handle.executeUpdate(skipStepUpdate, {
      args: [{ by: ana, stepId: 'prepare.verify-zuora-synced', reason: 'handled in the readiness preflight' }],
    });
    await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
    await handle.executeUpdate(completeStepUpdate, { args: [{ by: ana, stepId: 'prepare.freeze-negative-invoices' }] });

    // The checklist ran: one offender in each of rows 1–9 (never the look-alikes), and row 10 has the seeded
    // never-synced negative invoices (not the one already Transferred To Accounting).
    let s = await waitForStep(handle, READINESS_STEP, 'waiting');
    expect(s.waitingOn).toBe('operator');
    expect(stepOf(s, 'enable-invoice-settlement').state).toBe('pending');
    let step = stepOf(s, READINESS_STEP);
    const rows = step.data.rows as Rows;
    const draftPayment = byNumber('RP-', (r) => r.Status === 'Draft');
    expect(rows['draft-payments']).toEqual({ count: 1, listed: draftPayment });
    expect(rows['error-payments']).toEqual({ count: 1, listed: byNumber('RP-', (r) => r.Status === 'Error') });
    expect(rows['draft-accounts-with-credit-balance']).toEqual({
      count: 1,
      listed: byNumber('R-', (r) => r.Status === 'Draft' && r.CreditBalance === 120),
    });
    expect(rows['canceled-accounts-with-credit-balance'].count).toBe(1);
    expect(rows['draft-accounts-with-negative-invoices'].count).toBe(1);
    expect(rows['canceled-accounts-with-negative-invoices'].count).toBe(1);
    expect(rows['draft-negative-invoices']).toEqual({
      count: 1,
      listed: byNumber('RINV', (r) => r.Status === 'Draft' && Number(r.Amount) < 0),
    });
    expect(rows['payment-runs-applying-credit-balance'].count).toBe(1);
    expect(rows['migration-one-time-charge']).toEqual({ count: 1, listed: ['EUR'] });
    const neverSynced = rows['negative-invoices-never-synced'].listed;
    expect(neverSynced).toEqual(expect.arrayContaining(byNumber('RINV', (r) => r.Amount === -80 || r.Amount === -60)));
    expect(neverSynced).not.toContain(byNumber('RINV', (r) => r.TransferredToAccounting === 'Yes')[0]);
    expect(step.data.open).toEqual(READINESS_ROW_NAMES);
    // The report holds every offender, one JSON line each, with what makes it one.
    const report = readFileSync(String(step.data.report), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(report).toHaveLength(Object.values(rows).reduce((n, r) => n + r.count, 0));
    expect(report).toContainEqual(
      expect.objectContaining({
        row: 'draft-payments',
        number: draftPayment[0],
        detail: 'Draft payment, amount 25.00',
      }),
    );

    // A wrong row name is refused, naming the valid rows; an acknowledgement needs a reason.
    const refused = await handle
      .executeUpdate(acknowledge, { args: [{ by: ana, row: 'draft-paymnts' as ReadinessRow, reason: 'known' }] })
      .then(
        () => '',
        (err: WorkflowUpdateFailedError) => String(err.cause?.message),
      );
    expect(refused).toContain(`row must be one of: ${READINESS_ROW_NAMES.join(', ')}`);

    // An acknowledgement with a reason clears its row; the step still waits for the others.
    const ack = { by: ana, row: 'error-payments' as const, reason: 'not migrated; exported from Invoice Payment' };
    expect(await handle.executeUpdate(acknowledge, { args: [ack] })).toMatchObject({ outcome: 'accepted' });
    s = await waitForStatus(handle, (x) => !(stepOf(x, READINESS_STEP).data.open as string[]).includes(ack.row), 'ack');
    step = stepOf(s, READINESS_STEP);
    expect(step.state).toBe('waiting');
    expect((step.data.acknowledged as Record<string, unknown>)[ack.row]).toMatchObject({ by: ana, reason: ack.reason });

    // The draft payment is processed in Zuora; retryStep runs the queries again and the row is clean.
    for (const p of z.payments.values()) if (p.Status === 'Draft') p.Status = 'Processed';
    await handle.executeUpdate(retryStepUpdate, { args: [{ by: ana, stepId: READINESS_STEP }] });
    s = await waitForStatus(
      handle,
      (x) =>
        stepOf(x, READINESS_STEP).state === 'waiting' && stepOf(x, READINESS_STEP).data.report !== step.data.report,
      'the checklist to run again',
    );
    step = stepOf(s, READINESS_STEP);
    expect((step.data.rows as Rows)['draft-payments'].count).toBe(0);
    expect(step.data.open).not.toContain('draft-payments');
    expect(step.data.open).not.toContain(ack.row); // the acknowledgement holds across the re-run

    // Every other row acknowledged: the upgrade goes on to the enablement request.
    for (const row of step.data.open as ReadinessRow[]) {
      await handle.executeUpdate(acknowledge, { args: [{ by: ana, row, reason: `accepted for ${row}` }] });
    }
    s = await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
    expect(stepOf(s, READINESS_STEP)).toMatchObject({ state: 'done', attempts: 1 });
    expect(s.audit.filter((a) => a.message === 'acknowledgeReadiness' && a.outcome === 'accepted')).toHaveLength(
      READINESS_ROW_NAMES.length - 1,
    );
    // test/replay replays this history: the readiness step's commands stay as recorded.
    await recordHistory(handle, 'upgrade-readiness-preflight');
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
