// Credit memos → invoice adjustments, a page at a time. Never twice: NetSuite `Creating Invoice Adjustment` is written
// first; the adjustments go through the AdjustmentBatcher (looked up by ReferenceId right before each create), and
// `Sync Complete` is written back last.
import type { PatchFields } from '../../netsuite/client';
import { IntegrationStatus } from '../../netsuite/fields';
import type { CreditMemoCandidate } from '../../netsuite/schemas';
import type { CreditMemoChunkInput, SyncTally, UndecidedSet } from '../../shared/sync';
import { AdjustmentBatcher, type AdjustmentsApi } from './adjustment-batcher';
import { writeError } from './netsuite-writes';
import { bump, settleAll, throwIfAborted, type ConnectorFields, type PageContext, type PageProcessor } from './page';
import {
  CHANGEABLE_SKIP_REASONS,
  SkipReason,
  classifyCreditMemo,
  reappliedAfterSync,
  type CreditMemoPlan,
} from './rules';

type CreditMemoPageContext = PageContext & {
  input: CreditMemoChunkInput;
  batcher: AdjustmentBatcher;
  zuora: AdjustmentsApi;
  fields: ConnectorFields;
};

/** The page processor of a credit memo chunk: one AdjustmentBatcher per attempt, shared by its pages. */
export function creditMemoPageProcessor(o: {
  zuora: AdjustmentsApi;
  input: CreditMemoChunkInput;
  fields: ConnectorFields;
}): (ctx: PageContext) => PageProcessor<CreditMemoCandidate> {
  return (ctx) => {
    const batcher = new AdjustmentBatcher(o.zuora, ctx.signal);
    return (page, tally, undecided) => processCreditMemoPage(page, tally, undecided, { ...ctx, ...o, batcher });
  };
}

async function processCreditMemoPage(
  page: CreditMemoCandidate[],
  tally: SyncTally,
  undecided: UndecidedSet,
  ctx: CreditMemoPageContext,
) {
  const plans: CreditMemoPlan[] = [];
  const synced: CreditMemoCandidate[] = [];
  const keep = (memo: CreditMemoCandidate) => undecided.records.push({ id: memo.id, lastModified: memo.lastModified });
  for (const memo of page) {
    tally.examined++;
    const d = classifyCreditMemo(memo, {
      standard: ctx.input.standard,
      negativeBalance: ctx.input.negativeBalance,
      syncDate: ctx.input.syncDate,
    });
    if (d.kind === 'undecidable') {
      // An error, never a silent skip: reported, counted as failed, and read again next run.
      tally.failed++;
      ctx.failures.append({ id: memo.id, tranId: memo.tranId, message: d.message });
      keep(memo);
      continue;
    }
    if (d.kind === 'skip') {
      bump(tally.skippedByReason, d.reason);
      if (d.reconcile && ctx.reconciliation) {
        tally.reconciliationNeeded++;
        ctx.reconciliation.append(d.reconcile);
      }
      if (CHANGEABLE_SKIP_REASONS.has(d.reason)) keep(memo);
      if (d.reason === SkipReason.notFullyApplied) {
        ctx.notFullyApplied?.append({ id: memo.id, tranId: memo.tranId, amountRemaining: memo.amountRemaining });
      }
      if (d.reason === SkipReason.alreadySyncComplete && !d.reconcile && memo.zuoraType === null) synced.push(memo);
      continue;
    }
    tally.eligible++;
    plans.push(d.plan);
  }
  await checkReappliedAfterSync(synced, tally, ctx);
  if (ctx.input.dryRun) return;
  const failed = new Set<string>();
  await settleAll(plans.map((plan) => syncCreditMemo(plan, tally, ctx, failed)));
  // A failed memo is read again next run even if no write could mark it (its Error write-back may have failed too).
  for (const memo of page) if (failed.has(memo.id)) keep(memo);
}

/**
 * Standard memos already Sync Complete with nothing remaining: their live Credit adjustments in Zuora (ReferenceId =
 * internal id) must credit the invoice they are applied to now; otherwise they were re-applied after the sync and go
 * to the reconciliation report with both invoices. One batched ZOQL look-up per page.
 */
async function checkReappliedAfterSync(memos: CreditMemoCandidate[], tally: SyncTally, ctx: CreditMemoPageContext) {
  if (memos.length === 0 || !ctx.reconciliation) return;
  const records = await ctx.zuora.findInvoiceAdjustmentsByReferenceIds(
    memos.map((m) => m.id),
    ['Id', 'ReferenceId', 'InvoiceId', 'Type', 'Status'],
  );
  const invoicesOf = new Map<string, string[]>();
  for (const r of records) {
    if (!r.ReferenceId || !r.InvoiceId || r.Type === 'Charge') continue;
    if (r.Status === 'Canceled' || r.Status === 'Cancelled') continue;
    invoicesOf.set(r.ReferenceId, [...(invoicesOf.get(r.ReferenceId) ?? []), r.InvoiceId]);
  }
  for (const memo of memos) {
    const entry = reappliedAfterSync(memo, invoicesOf.get(memo.id) ?? []);
    if (!entry) continue;
    tally.reconciliationNeeded++;
    ctx.reconciliation.append(entry);
  }
}

async function syncCreditMemo(
  plan: CreditMemoPlan,
  tally: SyncTally,
  ctx: CreditMemoPageContext,
  failedIds: Set<string>,
): Promise<void> {
  const f = ctx.fields;
  /** Counted and reported as failed; the record itself is not written (its own write is what failed). */
  const report = (message: string, extra: Record<string, unknown> = {}) => {
    tally.failed++;
    failedIds.add(plan.id);
    ctx.failures.append({ id: plan.id, tranId: plan.tranId, kind: plan.kind, message, ...extra });
  };
  const fail = async (message: string, extra: Record<string, unknown> = {}) => {
    report(message, extra);
    await writeError(ctx.writeNetSuite, 'creditMemo', plan.id, message, f);
  };

  if (plan.integrationStatus !== IntegrationStatus.creatingInvoiceAdjustment) {
    const marked = await ctx.writeNetSuite('creditMemo', plan.id, {
      [f.integrationStatus]: IntegrationStatus.creatingInvoiceAdjustment,
    });
    if (!marked.ok) {
      report(`NetSuite: ${marked.message}`);
      return;
    }
  }

  const outcomes = await Promise.all(plan.adjustments.map((a) => ctx.batcher.submit(a)));
  throwIfAborted(ctx.signal);
  tally.created += outcomes.filter((o) => o.ok && !o.existed).length;
  const refused = outcomes.flatMap((o, i) => (o.ok ? [] : [{ referenceId: plan.adjustments[i]!.referenceId, ...o }]));
  if (refused.length > 0) {
    const message = refused.map((r) => `${r.referenceId}: ${r.message}`).join('; ');
    await fail(message, {
      refused: refused.map((r) => ({ referenceId: r.referenceId, code: r.code, message: r.message })),
    });
    return;
  }
  if (outcomes.every((o) => o.ok && o.existed)) tally.alreadyInZuora++;

  const first = outcomes[0];
  const patch: PatchFields = {
    [f.integrationStatus]: IntegrationStatus.syncComplete,
    [f.syncDate]: ctx.input.syncDate,
  };
  if (plan.writeBackZuoraId && first?.ok) patch[f.zuoraId] = first.id;
  if (plan.integrationStatus === IntegrationStatus.error) patch[f.syncError] = null;
  const written = await ctx.writeNetSuite('creditMemo', plan.id, patch);
  if (!written.ok) {
    // Zuora has the adjustment(s); the next run finds them by ReferenceId and writes back again.
    report(`created in Zuora, but NetSuite refused the write-back: ${written.message}`);
    return;
  }
  tally.synced++;
}
