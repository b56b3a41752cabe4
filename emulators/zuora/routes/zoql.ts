// ZOQL action query with queryMore paging (docs/zuora.md §2). Errors are the spec's FaultResponse (docs/zuora.md §8).
import { randomBytes } from 'node:crypto';
import { jsonResponse, parseJsonBody, type Router } from '../../common';
import type { QueryCursor, ZuoraContext } from '../context';
import { faultError } from '../errors';
import { matches, parseZoql, project, ZoqlError } from '../zoql';
import { authenticated } from './auth';

export const ZOQL_MAX_BATCH = 2000;

export function registerZoqlRoutes(router: Router, ctx: ZuoraContext): void {
  router.on(
    'POST',
    '/v1/action/query',
    authenticated(ctx, (req) => {
      const parsed = parseJsonBody(req.rawBody);
      if (!parsed.ok) return faultError(400, 'MALFORMED_QUERY', parsed.message);
      const body = parsed.value as { queryString?: unknown; conf?: { batchSize?: unknown } };
      if (typeof body?.queryString !== 'string')
        return faultError(400, 'MISSING_REQUIRED_VALUE', "'queryString' is required");
      const batchSize = body.conf?.batchSize ?? ZOQL_MAX_BATCH;
      if (
        typeof batchSize !== 'number' ||
        !Number.isInteger(batchSize) ||
        batchSize < 1 ||
        batchSize > ZOQL_MAX_BATCH
      ) {
        return faultError(400, 'INVALID_VALUE', `batchSize must be an integer 1..${ZOQL_MAX_BATCH}`);
      }
      let query;
      try {
        query = parseZoql(body.queryString);
      } catch (error) {
        if (error instanceof ZoqlError) return faultError(400, error.code, error.message);
        throw error;
      }
      const records = [];
      for (const record of ctx.state.objects(query.object).values()) {
        if (matches(record, query.where)) records.push(project(record, query.fields));
      }
      return jsonResponse(
        200,
        page(ctx, { records, offset: 0, batchSize, expiresAt: ctx.now() + ctx.settings.queryLocatorTtlMs }),
      );
    }),
  );

  router.on(
    'POST',
    '/v1/action/queryMore',
    authenticated(ctx, (req) => {
      const parsed = parseJsonBody(req.rawBody);
      if (!parsed.ok) return faultError(400, 'MALFORMED_QUERY', parsed.message);
      const locator = (parsed.value as { queryLocator?: unknown })?.queryLocator;
      if (typeof locator !== 'string') return faultError(400, 'MISSING_REQUIRED_VALUE', "'queryLocator' is required");
      const cursor = ctx.cursors.get(locator);
      ctx.cursors.delete(locator);
      if (!cursor || cursor.expiresAt <= ctx.now()) {
        return faultError(400, 'INVALID_QUERY_LOCATOR', 'The query locator is invalid or has expired (15 minutes)');
      }
      return jsonResponse(200, page(ctx, cursor));
    }),
  );
}

/** `size` is the size of the whole result, as in Zuora's QueryResult; `records` is this page. */
function page(ctx: ZuoraContext, cursor: QueryCursor) {
  const end = cursor.offset + cursor.batchSize;
  const records = cursor.records.slice(cursor.offset, end);
  const done = end >= cursor.records.length;
  let queryLocator: string | undefined;
  if (!done) {
    queryLocator = randomBytes(16).toString('hex');
    ctx.cursors.set(queryLocator, { ...cursor, offset: end });
  }
  return { records, size: cursor.records.length, done, queryLocator };
}
