// Payments → external payments (after the upgrade), a page at a time. Never twice: NetSuite `Creating Payment` is
// written first; the payment is looked up by IntegrationId__NS, then created under an Idempotency-Key derived from the
// NetSuite internal id (the key covers retries within 24 h, the look-up after).
import type { PatchFields } from '../../netsuite/client';
import { IntegrationStatus } from '../../netsuite/fields';
import type { PaymentCandidate } from '../../netsuite/schemas';
import type { SyncChunkInput, SyncTally } from '../../shared/sync';
import type { ZuoraClient } from '../../zuora/client';
import { ZuoraApiError } from '../../zuora/errors';
import { writeError } from './netsuite-writes';
import { bump, settleAll, throwIfAborted, type ConnectorFields, type PageContext, type PageProcessor } from './page';
import { classifyPayment, paymentBody, paymentIdempotencyKey, type PaymentPlan } from './rules';

/** What the payment sync needs of the Zuora client. */
export type PaymentsApi = Pick<
  ZuoraClient,
  'findPaymentsByIntegrationIds' | 'findAccountsByIds' | 'findInvoicesByIntegrationIds' | 'createPayment'
>;

type PaymentPageContext = PageContext & {
  input: SyncChunkInput;
  zuora: PaymentsApi;
  fields: ConnectorFields;
};

/** The page processor of a payment chunk. */
export function paymentPageProcessor(o: {
  zuora: PaymentsApi;
  input: SyncChunkInput;
  fields: ConnectorFields;
}): (ctx: PageContext) => PageProcessor<PaymentCandidate> {
  return (ctx) => (page, tally) => processPaymentPage(page, tally, { ...ctx, ...o });
}

async function processPaymentPage(page: PaymentCandidate[], tally: SyncTally, ctx: PaymentPageContext) {
  const plans: PaymentPlan[] = [];
  for (const payment of page) {
    tally.examined++;
    const d = classifyPayment(payment);
    if (d.kind === 'skip') {
      bump(tally.skippedByReason, d.reason);
      continue;
    }
    tally.eligible++;
    plans.push(d.plan);
  }
  if (ctx.input.dryRun || plans.length === 0) return;

  // Batched look-ups for the page: existing payments, account currencies, applied invoices by IntegrationId__NS.
  const netsuiteInvoiceIds = [...new Set(plans.flatMap((p) => p.invoices.map((i) => i.netsuiteId)))];
  const [existing, accounts, invoicesByIntegrationId] = await Promise.all([
    ctx.zuora.findPaymentsByIntegrationIds(plans.map((p) => p.id)),
    ctx.zuora.findAccountsByIds([...new Set(plans.map((p) => p.accountId))]),
    netsuiteInvoiceIds.length === 0 ? Promise.resolve([]) : ctx.zuora.findInvoicesByIntegrationIds(netsuiteInvoiceIds),
  ]);
  const currencyOf = new Map(accounts.map((a) => [a.Id, a.Currency]));
  const invoiceIds = new Map<string, string>();
  for (const inv of invoicesByIntegrationId) if (inv.IntegrationId__NS) invoiceIds.set(inv.IntegrationId__NS, inv.Id);
  await settleAll(plans.map((plan) => syncPayment(plan, tally, ctx, { existing, currencyOf, invoiceIds })));
}

async function syncPayment(
  plan: PaymentPlan,
  tally: SyncTally,
  ctx: PaymentPageContext,
  found: {
    existing: Map<string, string>;
    currencyOf: Map<string, string | undefined>;
    invoiceIds: Map<string, string>;
  },
): Promise<void> {
  const f = ctx.fields;
  const fail = async (message: string, extra: Record<string, unknown> = {}) => {
    tally.failed++;
    ctx.failures.append({ id: plan.id, tranId: plan.tranId, message, ...extra });
    await writeError(ctx.writeNetSuite, 'customerPayment', plan.id, message, f);
  };

  let zuoraId = found.existing.get(plan.id);
  if (zuoraId === undefined) {
    if (!found.currencyOf.has(plan.accountId)) return fail(`Zuora account ${plan.accountId} was not found`);
    const missing = plan.invoices.filter((i) => !found.invoiceIds.has(i.netsuiteId));
    if (missing.length > 0) {
      return fail(
        `applied invoice(s) ${missing.map((m) => m.tranId ?? m.netsuiteId).join(', ')} not found in Zuora by IntegrationId__NS`,
      );
    }
  }

  if (plan.integrationStatus !== IntegrationStatus.creatingPayment) {
    const marked = await ctx.writeNetSuite('customerPayment', plan.id, {
      [f.integrationStatus]: IntegrationStatus.creatingPayment,
    });
    if (!marked.ok) {
      tally.failed++;
      ctx.failures.append({ id: plan.id, tranId: plan.tranId, message: `NetSuite: ${marked.message}` });
      return;
    }
  }

  if (zuoraId !== undefined) {
    tally.alreadyInZuora++;
  } else {
    const body = paymentBody(plan, found.currencyOf.get(plan.accountId) ?? 'USD', found.invoiceIds, ctx.input.syncDate);
    const created = await createPaymentOnce(ctx.zuora, plan, body, ctx.input.syncDate);
    throwIfAborted(ctx.signal);
    if (!created.ok) return fail(created.message, { code: created.code });
    zuoraId = created.id;
    if (created.existed) tally.alreadyInZuora++;
    else tally.created++;
  }

  const patch: PatchFields = {
    [f.zuoraId]: zuoraId,
    [f.integrationStatus]: IntegrationStatus.syncComplete,
    [f.syncDate]: ctx.input.syncDate,
    [f.origin]: 'NETSUITE',
  };
  if (plan.integrationStatus === IntegrationStatus.error) patch[f.syncError] = null;
  const written = await ctx.writeNetSuite('customerPayment', plan.id, patch);
  if (!written.ok) {
    tally.failed++;
    ctx.failures.append({
      id: plan.id,
      tranId: plan.tranId,
      message: `created in Zuora (${zuoraId}), but NetSuite refused the write-back: ${written.message}`,
    });
    return;
  }
  tally.synced++;
}

/**
 * POST /v1/payments under `ns-payment-<internalId>`: the client retries transient failures with the same key, so
 * Zuora answers a repeat with the first payment. A 422 means the key was used with another body (an earlier run's
 * attempt, whose SyncDate differed): if that attempt made no payment (look-up by IntegrationId__NS), a run-scoped
 * key is used instead — still stable across this run's retries.
 */
async function createPaymentOnce(
  zuora: PaymentsApi,
  plan: PaymentPlan,
  body: ReturnType<typeof paymentBody>,
  syncDate: string,
): Promise<{ ok: true; id: string; existed: boolean } | { ok: false; code: string; message: string }> {
  const refusal = (err: ZuoraApiError) => ({
    ok: false as const,
    code: err.code,
    message: err.reasons.map((r) => r.message).join('; ') || err.message,
  });
  try {
    const payment = await zuora.createPayment(body, paymentIdempotencyKey(plan.id));
    return { ok: true, id: payment.id, existed: false };
  } catch (err) {
    if (!(err instanceof ZuoraApiError) || err.retryable) throw err;
    if (err.httpStatus !== 422) return refusal(err);
  }
  const again = await zuora.findPaymentsByIntegrationIds([plan.id]);
  const id = again.get(plan.id);
  if (id !== undefined) return { ok: true, id, existed: true };
  try {
    const payment = await zuora.createPayment(body, `${paymentIdempotencyKey(plan.id)}-${syncDate.replace(/\D/g, '')}`);
    return { ok: true, id: payment.id, existed: false };
  } catch (err) {
    if (!(err instanceof ZuoraApiError) || err.retryable) throw err;
    return refusal(err);
  }
}
