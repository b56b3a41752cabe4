// Invoice adjustments through the CRUD API (docs/zuora.md §4): create one, or up to 50 with /v1/action/create.
import { jsonResponse, parseJsonBody, type Router } from '../../common';
import { bump, type ZuoraContext } from '../context';
import { crudError, crudFailure, faultError, type CrudCode } from '../errors';
import { IdKind, isoDate, isoDateTime, money, type FieldValue, type ZRecord } from '../state';
import { authenticated } from './auth';

export const ACTION_CREATE_LIMIT = 50;
const WRITABLE = new Set([
  'Amount',
  'Type',
  'InvoiceId',
  'InvoiceNumber',
  'AccountId',
  'AdjustmentDate',
  'ReasonCode',
  'ReferenceId',
  'Comments',
  'AccountingCode',
  'TransferredToAccounting',
  'IntegrationId__NS',
  'IntegrationStatus__NS',
  'Origin__NS',
  'SyncDate__NS',
  'Transaction__NS',
]);

type SaveResult = { Success: true; Id: string } | ReturnType<typeof crudFailure>;

export function registerInvoiceAdjustmentRoutes(router: Router, ctx: ZuoraContext): void {
  // INFERRED: not in Zuora's OpenAPI spec 2025-08-12 (docs/zuora.md §8); the client creates through the documented
  // /v1/action/create instead. Kept for tools that call the CRUD object API; its errors keep the CRUD body.
  router.on(
    'POST',
    '/v1/object/invoice-adjustment',
    authenticated(ctx, (req) => {
      const parsed = parseJsonBody(req.rawBody);
      if (!parsed.ok) return crudError(400, 'INVALID_VALUE', parsed.message);
      // CRUD answers validation failures as HTTP 200 with Success:false.
      return jsonResponse(200, createInvoiceAdjustment(ctx, parsed.value));
    }),
  );

  router.on(
    'POST',
    '/v1/action/create',
    authenticated(ctx, (req) => {
      const parsed = parseJsonBody(req.rawBody);
      if (!parsed.ok) return faultError(400, 'INVALID_VALUE', parsed.message);
      const body = parsed.value as { type?: unknown; objects?: unknown };
      if (!Array.isArray(body?.objects) || typeof body.type !== 'string') {
        return faultError(400, 'MISSING_REQUIRED_VALUE', "'type' and 'objects' are required");
      }
      if (body.type !== 'InvoiceAdjustment') {
        return faultError(
          400,
          'INVALID_TYPE',
          `The emulator creates only InvoiceAdjustment objects, not '${body.type}'`,
        );
      }
      if (body.objects.length > ACTION_CREATE_LIMIT) {
        return faultError(
          400,
          'MAX_RECORDS_EXCEEDED',
          `At most ${ACTION_CREATE_LIMIT} objects per call; got ${body.objects.length}`,
        );
      }
      return jsonResponse(
        200,
        body.objects.map((o: unknown) => createInvoiceAdjustment(ctx, o)),
      );
    }),
  );
}

function failure(code: CrudCode, message: string): SaveResult {
  return crudFailure(code, message);
}

/** Validates like Zuora (amount vs balance, date vs invoice date, reason code, lengths) and updates the invoice. */
export function createInvoiceAdjustment(ctx: ZuoraContext, input: unknown): SaveResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return failure('INVALID_VALUE', 'Object expected');
  const fields = input as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields)) {
    if (!WRITABLE.has(name) && !/__c$/.test(name))
      return failure('INVALID_FIELD', `Invalid field for InvoiceAdjustment: ${name}`);
    if (value !== null && typeof value === 'object') return failure('INVALID_VALUE', `${name} must be a scalar`);
  }
  const { Amount, Type, InvoiceId, InvoiceNumber, AdjustmentDate, ReasonCode, ReferenceId, Comments, AccountId } =
    fields;
  if (Amount === undefined) return failure('MISSING_REQUIRED_VALUE', 'Amount is required');
  if (Type === undefined) return failure('MISSING_REQUIRED_VALUE', 'Type is required');
  if (Type !== 'Credit' && Type !== 'Charge') return failure('INVALID_VALUE', "Type must be 'Credit' or 'Charge'");
  if (typeof Amount !== 'number' || !Number.isFinite(Amount) || Amount <= 0)
    return failure('INVALID_VALUE', 'Amount must be a positive number');
  if (InvoiceId === undefined && InvoiceNumber === undefined)
    return failure('MISSING_REQUIRED_VALUE', 'InvoiceId or InvoiceNumber is required');
  const invoice = ctx.state.findInvoice({
    id: typeof InvoiceId === 'string' ? InvoiceId : undefined,
    number: InvoiceId === undefined && typeof InvoiceNumber === 'string' ? InvoiceNumber : undefined,
  });
  if (!invoice) return failure('INVALID_VALUE', `Invoice ${String(InvoiceId ?? InvoiceNumber)} does not exist`);
  if (invoice.Status !== 'Posted')
    return failure('INVALID_VALUE', `Invoice ${String(invoice.InvoiceNumber)} is not Posted`);
  if (AccountId !== undefined && AccountId !== invoice.AccountId)
    return failure('INVALID_VALUE', 'AccountId does not match the invoice account');
  const today = isoDate(ctx.now());
  const date = AdjustmentDate ?? today; // null/absent = today
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date))
    return failure('INVALID_VALUE', 'AdjustmentDate must be YYYY-MM-DD');
  if (date < String(invoice.InvoiceDate)) {
    return failure('INVALID_VALUE', `AdjustmentDate ${date} is before the invoice date ${String(invoice.InvoiceDate)}`);
  }
  if (ReasonCode !== undefined) {
    if (typeof ReasonCode !== 'string' || ReasonCode.length > 32)
      return failure('INVALID_VALUE', 'ReasonCode must be ≤ 32 characters');
    if (!ctx.state.reasonCodes.has(ReasonCode))
      return failure('INVALID_VALUE', `Reason code '${ReasonCode}' does not exist`);
  }
  if (ReferenceId !== undefined && (typeof ReferenceId !== 'string' || ReferenceId.length > 100)) {
    return failure('INVALID_VALUE', 'ReferenceId must be ≤ 100 characters');
  }
  if (Comments !== undefined && (typeof Comments !== 'string' || Comments.length > 255)) {
    return failure('INVALID_VALUE', 'Comments must be ≤ 255 characters');
  }
  const balance = Number(invoice.Balance ?? 0);
  if (Type === 'Credit' && Amount > balance + 1e-9) {
    return failure('INVALID_VALUE', `The adjustment amount ${Amount} exceeds the invoice balance ${balance}`);
  }

  invoice.Balance = money(Type === 'Credit' ? balance - Amount : balance + Amount);
  const id = ctx.state.nextId(IdKind.invoiceAdjustment);
  const record: ZRecord = {
    ...(fields as Record<string, FieldValue>),
    Id: id,
    AdjustmentNumber: ctx.state.nextNumber('IA-'),
    InvoiceId: invoice.Id,
    InvoiceNumber: invoice.InvoiceNumber,
    AccountId: invoice.AccountId,
    AdjustmentDate: date,
    Status: 'Processed',
    CreatedDate: isoDateTime(ctx.now()),
  };
  ctx.state.invoiceAdjustments.set(id, record);
  if (typeof ReferenceId === 'string') bump(ctx.counters.adjustmentsPerReferenceId, ReferenceId);
  return { Success: true, Id: id };
}
