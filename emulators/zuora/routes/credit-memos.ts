// Credit memo endpoints (Invoice Settlement only): get, list, update one, bulk update ≤ 50 (docs/zuora.md §3).
// Both the current `/v1/credit-memos` and the pre-2025 `/v1/creditmemos` paths are served.
import { jsonResponse, parseJsonBody, type RouteHandler, type Router } from '../../common';
import { bump, type ZuoraContext } from '../context';
import { IS_NOT_ENABLED_MESSAGE, RestCode, processId, restError } from '../errors';
import { isoDateTime, type CreditMemoRecord, type FieldValue } from '../state';
import { authenticated } from './auth';

export const BULK_LIMIT = 50;
const TRANSFERRED = new Set(['Processing', 'Yes', 'No', 'Error', 'Ignore']);
/** The `GET /v1/credit-memos` filters the spec documents (zuora-sdk `get_credit_memos`), besides page and pageSize. */
const DOCUMENTED_FILTERS = new Set([
  'accountId',
  'accountNumber',
  'amount',
  'appliedAmount',
  'autoApplyUponPosting',
  'createdById',
  'createdDate',
  'creditMemoDate',
  'currency',
  'excludeFromAutoApplyRules',
  'number',
  'referredInvoiceId',
  'refundAmount',
  'sort',
  'status',
  'targetDate',
  'taxAmount',
  'totalTaxExemptAmount',
  'transferredToAccounting',
  'unappliedAmount',
  'updatedById',
  'updatedDate',
]);
/** The documented filters this emulator can evaluate: fields its credit memos carry. */
const LIST_FILTERS = new Set([
  'accountId',
  'amount',
  'createdDate',
  'creditMemoDate',
  'excludeFromAutoApplyRules',
  'number',
  'status',
  'transferredToAccounting',
  'unappliedAmount',
  'updatedDate',
]);
const MAX_PAGE_SIZE = 40;

type Failure = { code: number; message: string; status: number };

/** A memo as the spec's CreditMemoResponse names it: the open amount is `unappliedAmount`, the date `creditMemoDate`. */
export function creditMemoJson(m: CreditMemoRecord): Record<string, unknown> {
  return {
    id: m.id,
    number: m.number,
    accountId: m.accountId,
    amount: m.amount,
    unappliedAmount: m.balance,
    status: m.status,
    reasonCode: m.reasonCode,
    transferredToAccounting: m.transferredToAccounting,
    excludeFromAutoApplyRules: m.excludeFromAutoApplyRules,
    creditMemoDate: m.memoDate,
    comment: m.comment,
    createdDate: restDateTime(m.createdDate),
    updatedDate: restDateTime(m.updatedDate),
    ...m.custom,
  };
}

/** The spec documents `createdDate`/`updatedDate` as `yyyy-mm-dd hh:mm:ss`; the tenant data keeps ISO 8601. */
function restDateTime(iso: string): string {
  return iso.replace('T', ' ').slice(0, 19);
}

export function registerCreditMemoRoutes(router: Router, ctx: ZuoraContext): void {
  /** INFERRED: a tenant without IS refuses credit memo endpoints (Zuora does not document the exact answer). */
  const requireIS = (handler: RouteHandler): RouteHandler =>
    authenticated(ctx, (req) =>
      ctx.state.invoiceSettlementEnabled ? handler(req) : restError(400, RestCode.UNSUPPORTED, IS_NOT_ENABLED_MESSAGE),
    );

  const bulk = requireIS((req) => {
    const parsed = parseJsonBody(req.rawBody);
    if (!parsed.ok) return restError(400, RestCode.MALFORMED_REQUEST, parsed.message);
    const body = parsed.value as { memos?: unknown };
    if (typeof body !== 'object' || body === null || !Array.isArray(body.memos)) {
      return restError(400, RestCode.MISSING_REQUIRED_FIELD, "'memos' is required and must be an array");
    }
    if (body.memos.length === 0) return restError(400, RestCode.INVALID_VALUE, "'memos' must not be empty");
    if (body.memos.length > BULK_LIMIT) {
      return restError(
        400,
        RestCode.INVALID_VALUE,
        `At most ${BULK_LIMIT} memos can be updated in one request; got ${body.memos.length}`,
      );
    }
    // Each memo is its own transaction: failures are reported per item, top-level success stays true.
    const memos = body.memos.map((item: unknown, objectIndex: number) => {
      const fields = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      const id = typeof fields.id === 'string' ? fields.id : undefined;
      const { id: _id, ...changes } = fields;
      const outcome =
        id === undefined
          ? fail(RestCode.MISSING_REQUIRED_FIELD, "'id' is required")
          : writeMemo(ctx, id, changes, true);
      if ('memo' in outcome) return { ...creditMemoJson(outcome.memo), success: true };
      ctx.counters.creditMemoItemFailures++;
      return {
        id,
        objectIndex,
        processId: processId(),
        reasons: [{ code: String(outcome.code), message: outcome.message }], // FailedReason.code is a string
        success: false,
      };
    });
    return jsonResponse(200, { memos, success: true });
  });

  const getOne = requireIS((req) => {
    const memo = ctx.state.findCreditMemo(req.params.key ?? '');
    // Legacy REST behaviour: "not found" as HTTP 200 with success:false (clients must read the flag).
    if (!memo) return restError(200, RestCode.NOT_FOUND, `Credit memo ${req.params.key ?? ''} was not found`);
    return jsonResponse(200, { ...creditMemoJson(memo), success: true });
  });

  const updateOne = requireIS((req) => {
    const parsed = parseJsonBody(req.rawBody);
    if (!parsed.ok) return restError(400, RestCode.MALFORMED_REQUEST, parsed.message);
    if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      return restError(400, RestCode.MALFORMED_REQUEST, 'Request body must be a JSON object');
    }
    const outcome = writeMemo(ctx, req.params.key ?? '', parsed.value as Record<string, unknown>, false);
    if ('memo' in outcome) return jsonResponse(200, { ...creditMemoJson(outcome.memo), success: true });
    return restError(outcome.status, outcome.code, outcome.message);
  });

  const list = requireIS((req) => {
    for (const key of req.query.keys()) {
      if (key === 'page' || key === 'pageSize' || LIST_FILTERS.has(key)) continue;
      if (DOCUMENTED_FILTERS.has(key)) {
        return restError(400, RestCode.UNSUPPORTED, `The emulator does not evaluate the '${key}' filter`);
      }
      return restError(400, RestCode.UNKNOWN_FIELD, `'${key}' is not a supported filter for credit memos`);
    }
    const pageSize = Number(req.query.get('pageSize') ?? 20);
    const page = Number(req.query.get('page') ?? 1);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      return restError(400, RestCode.INVALID_VALUE, `pageSize must be 1..${MAX_PAGE_SIZE}`);
    }
    if (!Number.isInteger(page) || page < 1) return restError(400, RestCode.INVALID_VALUE, 'page must be ≥ 1');
    const filters = [...req.query.entries()].filter(([k]) => LIST_FILTERS.has(k));
    const start = (page - 1) * pageSize;
    const out: Array<Record<string, unknown>> = [];
    let seen = 0;
    let more = false;
    for (const memo of ctx.state.creditMemos.values()) {
      const json = creditMemoJson(memo);
      if (!filters.every(([k, v]) => String(json[k]) === v)) continue;
      if (seen++ < start) continue;
      if (out.length === pageSize) {
        more = true;
        break;
      }
      out.push(json);
    }
    const nextPage = more ? `/v1/credit-memos?page=${page + 1}&pageSize=${pageSize}` : undefined;
    return jsonResponse(200, { creditmemos: out, nextPage, success: true });
  });

  for (const base of ['/v1/credit-memos', '/v1/creditmemos']) {
    router
      .on('PUT', `${base}/bulk`, bulk)
      .on('GET', base, list)
      .on('GET', `${base}/:key`, getOne)
      .on('PUT', `${base}/:key`, updateOne);
  }
}

function fail(code: number, message: string, status = 400): Failure {
  return { code, message, status };
}

/** Validates and applies an update to one memo; counts successful writes per memo id. */
function writeMemo(
  ctx: ZuoraContext,
  key: string,
  changes: Record<string, unknown>,
  byIdOnly: boolean,
): Failure | { memo: CreditMemoRecord } {
  const memo = byIdOnly ? ctx.state.creditMemos.get(key) : ctx.state.findCreditMemo(key);
  if (!memo) return fail(RestCode.NOT_FOUND, `Credit memo ${key} was not found`, 200);
  const patch: Partial<CreditMemoRecord> = {};
  const custom: Record<string, FieldValue> = {};
  for (const [field, value] of Object.entries(changes)) {
    switch (field) {
      case 'transferredToAccounting':
        if (typeof value !== 'string' || !TRANSFERRED.has(value)) {
          return fail(RestCode.INVALID_VALUE, `Invalid value for transferredToAccounting: ${JSON.stringify(value)}`);
        }
        patch.transferredToAccounting = value as CreditMemoRecord['transferredToAccounting'];
        break;
      case 'comment':
        if (typeof value !== 'string' || value.length > 255)
          return fail(RestCode.INVALID_VALUE, 'comment must be a string of ≤ 255 characters');
        patch.comment = value;
        break;
      case 'reasonCode':
        if (typeof value !== 'string' || !ctx.state.reasonCodes.has(value))
          return fail(RestCode.INVALID_VALUE, `Unknown reason code ${JSON.stringify(value)}`);
        patch.reasonCode = value;
        break;
      case 'excludeFromAutoApplyRules':
        if (typeof value !== 'boolean')
          return fail(RestCode.INVALID_VALUE, 'excludeFromAutoApplyRules must be a boolean');
        patch.excludeFromAutoApplyRules = value;
        break;
      case 'effectiveDate':
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
          return fail(RestCode.INVALID_VALUE, 'effectiveDate must be YYYY-MM-DD');
        patch.memoDate = value;
        break;
      default:
        if (/__(NS|c)$/.test(field) && (typeof value === 'string' || value === null)) {
          custom[field] = value;
          break;
        }
        return fail(RestCode.UNKNOWN_FIELD, `Unknown or read-only field '${field}'`);
    }
  }
  if (memo.status === 'Cancelled') {
    return fail(RestCode.BUSINESS_RULE, `Credit memo ${memo.number} is Cancelled and cannot be updated`);
  }
  if (memo.lockedAttemptsRemaining > 0) {
    memo.lockedAttemptsRemaining--;
    return fail(RestCode.LOCK_CONTENTION, `Credit memo ${memo.number} is locked by another operation; try again`, 409);
  }
  Object.assign(memo, patch);
  Object.assign(memo.custom, custom);
  memo.updatedDate = isoDateTime(ctx.now());
  bump(ctx.counters.writesPerCreditMemo, memo.id);
  return { memo };
}
