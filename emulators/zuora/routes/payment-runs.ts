// `GET /v1/payment-runs` (the spec's "List payment runs"; docs/zuora.md §10): pages of at most 40, the documented
// filters (this emulator evaluates `status`), `nextPage` while more exist. `applyCreditBalance` is answered only
// without Invoice Settlement, as the spec's PaymentRun notes.
import { jsonResponse, type Router } from '../../common';
import type { ZuoraContext } from '../context';
import { RestCode, restError } from '../errors';
import type { PaymentRunRecord } from '../state';
import { authenticated } from './auth';

const MAX_PAGE_SIZE = 40;
const DOCUMENTED_FILTERS = new Set([
  'createdById',
  'createdDate',
  'status',
  'targetDate',
  'updatedById',
  'updatedDate',
  'sort',
]);

export function registerPaymentRunRoutes(router: Router, ctx: ZuoraContext): void {
  router.on(
    'GET',
    '/v1/payment-runs',
    authenticated(ctx, (req) => {
      for (const key of req.query.keys()) {
        if (key === 'page' || key === 'pageSize' || key === 'status') continue;
        if (DOCUMENTED_FILTERS.has(key)) {
          return restError(400, RestCode.UNSUPPORTED, `The emulator does not evaluate the '${key}' filter`);
        }
        return restError(400, RestCode.UNKNOWN_FIELD, `'${key}' is not a supported filter for payment runs`);
      }
      const pageSize = Number(req.query.get('pageSize') ?? 20);
      const page = Number(req.query.get('page') ?? 1);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
        return restError(400, RestCode.INVALID_VALUE, `pageSize must be 1..${MAX_PAGE_SIZE}`);
      }
      if (!Number.isInteger(page) || page < 1) return restError(400, RestCode.INVALID_VALUE, 'page must be ≥ 1');
      const status = req.query.get('status');
      const runs = [...ctx.state.paymentRuns.values()].filter((r) => status === null || r.status === status);
      const slice = runs.slice((page - 1) * pageSize, page * pageSize);
      const more = runs.length > page * pageSize;
      const nextPage = more
        ? `/v1/payment-runs?page=${page + 1}&pageSize=${pageSize}${status === null ? '' : `&status=${status}`}`
        : undefined;
      const json = (r: PaymentRunRecord) => {
        const { applyCreditBalance, ...rest } = r;
        return ctx.state.invoiceSettlementEnabled ? rest : { ...rest, applyCreditBalance };
      };
      return jsonResponse(200, { paymentRuns: slice.map(json), nextPage, success: true });
    }),
  );
}
