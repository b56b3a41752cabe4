// POST /v1/payments with Idempotency-Key semantics (docs/zuora.md §5, §6): same key + same request → the original
// result; same key still in progress → 409; same key with another URL, method or body → 422; kept 24 h.
import { createHash } from 'node:crypto';
import {
  headerValue,
  jsonResponse,
  parseJsonBody,
  type EmulatorRequest,
  type EmulatorResponse,
  type Router,
} from '../../common';
import { bump, type ZuoraContext } from '../context';
import { RestCode, restError } from '../errors';
import { IdKind, isoDate, isoDateTime, money, type FieldValue, type ZRecord } from '../state';
import { authenticated } from './auth';

const KNOWN = new Set([
  'amount',
  'currency',
  'type',
  'accountId',
  'accountNumber',
  'paymentMethodId',
  'paymentMethodType',
  'effectiveDate',
  'referenceId',
  'comment',
  'financeInformation',
  'invoices',
  'debitMemos',
  'IntegrationId__NS',
  'IntegrationStatus__NS',
  'Origin__NS',
  'SyncDate__NS',
  'Transaction__NS',
]);

export function registerPaymentRoutes(router: Router, ctx: ZuoraContext): void {
  router.on(
    'POST',
    '/v1/payments',
    authenticated(ctx, async (req) => {
      const key = headerValue(req, 'idempotency-key');
      if (key === undefined) return createPayment(ctx, req, undefined);
      if (key.length === 0 || key.length >= 255)
        return restError(400, RestCode.INVALID_VALUE, 'Idempotency-Key must be 1..254 characters');
      const bodyHash = createHash('sha256').update(req.rawBody).digest('hex');
      const existing = ctx.idempotency.get(key);
      if (existing && existing.createdAt + ctx.settings.idempotencyTtlMs <= ctx.now()) ctx.idempotency.delete(key);
      const entry = ctx.idempotency.get(key);
      if (entry) {
        if (entry.method !== req.method || entry.path !== req.path || entry.bodyHash !== bodyHash) {
          ctx.counters.idempotencyMismatch422++;
          return restError(
            422,
            RestCode.INVALID_VALUE,
            'This Idempotency-Key was already used with a different request',
          );
        }
        if (!entry.response) {
          ctx.counters.idempotencyInProgress409++;
          return restError(
            409,
            RestCode.LOCK_CONTENTION,
            'A request with this Idempotency-Key is still being processed',
          );
        }
        ctx.counters.idempotencyReplays++;
        return entry.response; // the original status and body
      }
      const fresh = { method: req.method, path: req.path, bodyHash, createdAt: ctx.now() } as {
        method: string;
        path: string;
        bodyHash: string;
        createdAt: number;
        response?: EmulatorResponse;
      };
      ctx.idempotency.set(key, fresh);
      try {
        await ctx.paymentsReleased();
        fresh.response = createPayment(ctx, req, key);
        return fresh.response;
      } catch (error) {
        ctx.idempotency.delete(key); // an internal failure is not a result worth replaying
        throw error;
      }
    }),
  );
}

function createPayment(ctx: ZuoraContext, req: EmulatorRequest, key: string | undefined): EmulatorResponse {
  const parsed = parseJsonBody(req.rawBody);
  if (!parsed.ok) return restError(400, RestCode.MALFORMED_REQUEST, parsed.message);
  if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    return restError(400, RestCode.MALFORMED_REQUEST, 'Request body must be a JSON object');
  }
  const body = parsed.value as Record<string, unknown>;
  for (const field of Object.keys(body)) {
    if (!KNOWN.has(field) && !/__c$/.test(field))
      return restError(400, RestCode.UNKNOWN_FIELD, `Unknown field '${field}'`);
  }
  const { amount, currency, type, accountId, accountNumber, effectiveDate, referenceId, comment } = body;
  if (amount === undefined || currency === undefined || type === undefined) {
    return restError(400, RestCode.MISSING_REQUIRED_FIELD, 'amount, currency and type are required');
  }
  if (typeof amount !== 'number' || !(amount > 0))
    return restError(400, RestCode.INVALID_VALUE, 'amount must be a positive number');
  if (type !== 'External' && type !== 'Electronic')
    return restError(400, RestCode.INVALID_VALUE, "type must be 'External' or 'Electronic'");
  if (type === 'External' && body.paymentMethodId === undefined && body.paymentMethodType === undefined) {
    return restError(
      400,
      RestCode.MISSING_REQUIRED_FIELD,
      'An external payment needs paymentMethodId or paymentMethodType',
    );
  }
  if (referenceId !== undefined && (typeof referenceId !== 'string' || referenceId.length > 100)) {
    return restError(400, RestCode.INVALID_VALUE, 'referenceId must be ≤ 100 characters');
  }
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 255)) {
    return restError(400, RestCode.INVALID_VALUE, 'comment must be ≤ 255 characters');
  }
  const finance = body.financeInformation as Record<string, unknown> | undefined;
  if (finance !== undefined) {
    const unknownKey = Object.keys(finance).find(
      (k) => !['transferredToAccounting', 'bankAccountAccountingCode', 'unappliedPaymentAccountingCode'].includes(k),
    );
    if (unknownKey) return restError(400, RestCode.UNKNOWN_FIELD, `Unknown field 'financeInformation.${unknownKey}'`);
    const t = finance.transferredToAccounting;
    if (t !== undefined && !['Processing', 'Yes', 'No', 'Error', 'Ignore'].includes(String(t))) {
      return restError(400, RestCode.INVALID_VALUE, 'financeInformation.transferredToAccounting is not a valid value');
    }
  }
  if (
    effectiveDate !== undefined &&
    (typeof effectiveDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(effectiveDate))
  ) {
    return restError(400, RestCode.INVALID_VALUE, 'effectiveDate must be YYYY-MM-DD');
  }
  const account =
    typeof accountId === 'string'
      ? ctx.state.accounts.get(accountId)
      : typeof accountNumber === 'string'
        ? ctx.state.accounts.get(ctx.state.accountIdByNumber.get(accountNumber) ?? '')
        : undefined;
  if (!account)
    return restError(400, RestCode.NOT_FOUND, `Account ${String(accountId ?? accountNumber)} was not found`);
  if (account.Currency !== undefined && account.Currency !== currency) {
    return restError(400, RestCode.INVALID_VALUE, `currency ${String(currency)} differs from the account currency`);
  }

  const invoices = body.invoices ?? [];
  if (!Array.isArray(invoices) || invoices.length > 1000)
    return restError(400, RestCode.INVALID_VALUE, 'invoices must be an array of ≤ 1000');
  const applications: Array<{ invoice: ZRecord; amount: number }> = [];
  let applied = 0;
  for (const item of invoices as Array<Record<string, unknown>>) {
    const invoice = ctx.state.findInvoice({
      id: typeof item?.invoiceId === 'string' ? item.invoiceId : undefined,
      number: typeof item?.invoiceNumber === 'string' ? item.invoiceNumber : undefined,
    });
    if (!invoice)
      return restError(
        400,
        RestCode.NOT_FOUND,
        `Invoice ${String(item?.invoiceId ?? item?.invoiceNumber)} was not found`,
      );
    if (invoice.AccountId !== account.Id)
      return restError(
        400,
        RestCode.BUSINESS_RULE,
        `Invoice ${String(invoice.InvoiceNumber)} belongs to another account`,
      );
    const part = item.amount;
    if (typeof part !== 'number' || !(part > 0))
      return restError(400, RestCode.INVALID_VALUE, 'invoice amount must be positive');
    if (part > Number(invoice.Balance ?? 0) + 1e-9) {
      return restError(
        400,
        RestCode.BUSINESS_RULE,
        `The amount applied to ${String(invoice.InvoiceNumber)} exceeds its balance`,
      );
    }
    applications.push({ invoice, amount: part });
    applied += part;
  }
  if (applied > amount + 1e-9)
    return restError(400, RestCode.BUSINESS_RULE, 'The applied amounts exceed the payment amount');

  for (const { invoice, amount: part } of applications) invoice.Balance = money(Number(invoice.Balance) - part);
  const id = ctx.state.nextId(IdKind.payment);
  const number = ctx.state.nextNumber('P-');
  const custom: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(body))
    if (/__(NS|c)$/.test(k) && (typeof v === 'string' || v === null)) custom[k] = v;
  const record: ZRecord = {
    Id: id,
    PaymentNumber: number,
    AccountId: account.Id,
    Amount: amount,
    AppliedAmount: money(applied),
    UnappliedAmount: money(amount - applied),
    Currency: String(currency),
    Type: type,
    EffectiveDate: typeof effectiveDate === 'string' ? effectiveDate : isoDate(ctx.now()),
    Status: 'Processed',
    ReferenceId: typeof referenceId === 'string' ? referenceId : undefined,
    Comment: typeof comment === 'string' ? comment : undefined,
    PaymentMethodType: typeof body.paymentMethodType === 'string' ? body.paymentMethodType : undefined,
    // Zuora's default for a new payment is No: the Zuora → NetSuite sync would pick it up.
    TransferredToAccounting:
      typeof finance?.transferredToAccounting === 'string' ? finance.transferredToAccounting : 'No',
    CreatedDate: isoDateTime(ctx.now()),
    ...custom,
  };
  ctx.state.payments.set(id, record);
  if (key !== undefined) bump(ctx.counters.paymentsPerIdempotencyKey, key);
  return jsonResponse(200, {
    id,
    number,
    status: 'Processed',
    accountId: account.Id,
    accountNumber: account.AccountNumber,
    amount,
    appliedAmount: record.AppliedAmount,
    unappliedAmount: record.UnappliedAmount,
    currency,
    type,
    effectiveDate: record.EffectiveDate,
    referenceId: record.ReferenceId ?? null,
    comment: record.Comment ?? null,
    ...custom,
    success: true,
  });
}
