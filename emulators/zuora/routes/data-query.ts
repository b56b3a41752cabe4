// Data Query jobs (docs/zuora.md §2): submit, poll, download the JSON Lines result from a "pre-signed" URL. Jobs and
// errors have the spec's shapes (DataQueryJob; CommonErrorResponse / DataQueryErrorResponse `{code, message}`).
import {
  hasMediaType,
  headerValue,
  jsonResponse,
  parseJsonBody,
  type EmulatorResponse,
  type Router,
} from '../../common';
import type { ZuoraContext } from '../context';
import {
  DataQuerySyntaxError,
  jsonLines,
  newJob,
  parseDataQuery,
  runDataQuery,
  type DataQueryJobRecord,
} from '../data-query';
import { RestCode, commonError } from '../errors';
import { isoDateTime } from '../state';
import { authenticated } from './auth';

/** Served outside the API limits, like S3. */
export const DATA_FILE_PREFIX = '/__files/query-results/';
const OUTPUT_FORMATS = new Set(['JSON', 'CSV', 'TSV', 'DSV']);
const COMPRESSIONS = new Set(['NONE', 'GZIP', 'ZIP']);

export function registerDataQueryRoutes(router: Router, ctx: ZuoraContext): void {
  router.on(
    'POST',
    '/query/jobs',
    authenticated(ctx, (req) => {
      if (!hasMediaType(headerValue(req, 'content-type'), 'application/json')) {
        return commonError(415, RestCode.UNSUPPORTED, 'Content-Type must be application/json');
      }
      const parsed = parseJsonBody(req.rawBody);
      if (!parsed.ok) return commonError(400, RestCode.MALFORMED_REQUEST, parsed.message);
      const body = parsed.value as Record<string, unknown>;
      if (typeof body.query !== 'string' || body.query.trim() === '') {
        return commonError(400, RestCode.MISSING_REQUIRED_FIELD, "'query' is required");
      }
      const outputFormat = body.outputFormat ?? 'JSON';
      const compression = body.compression ?? 'NONE';
      if (typeof outputFormat !== 'string' || !OUTPUT_FORMATS.has(outputFormat)) {
        return commonError(400, RestCode.INVALID_VALUE, `Invalid outputFormat ${JSON.stringify(outputFormat)}`);
      }
      if (typeof compression !== 'string' || !COMPRESSIONS.has(compression)) {
        return commonError(400, RestCode.INVALID_VALUE, `Invalid compression ${JSON.stringify(compression)}`);
      }
      if (outputFormat !== 'JSON' || compression !== 'NONE') {
        return commonError(
          400,
          RestCode.UNSUPPORTED,
          'This emulator produces only outputFormat JSON with compression NONE',
        );
      }
      if (!ctx.state.invoiceSettlementEnabled) {
        // CreditMemo becomes a Data Query table only once Invoice Settlement is enabled.
        return commonError(
          400,
          RestCode.INVALID_VALUE,
          "Table 'creditmemo' does not exist (Invoice Settlement is not enabled)",
        );
      }
      let select;
      try {
        select = parseDataQuery(body.query);
      } catch (error) {
        if (error instanceof DataQuerySyntaxError)
          return commonError(400, RestCode.INVALID_VALUE, `Invalid query: ${error.message}`);
        throw error;
      }
      const job = newJob(body.query, select, outputFormat, compression, ctx.now());
      ctx.jobs.set(job.id, job);
      ctx.counters.dataQueryJobs++;
      return jsonResponse(200, { data: jobJson(ctx, job, req.origin) });
    }),
  );

  router.on(
    'GET',
    '/query/jobs/:id',
    authenticated(ctx, (req) => {
      const job = ctx.jobs.get(req.params.id ?? '');
      if (!job) return commonError(404, RestCode.NOT_FOUND, `Query job ${req.params.id ?? ''} was not found`);
      return jsonResponse(200, { data: jobJson(ctx, job, req.origin) });
    }),
  );

  router.on('GET', `${DATA_FILE_PREFIX}:file`, (req): EmulatorResponse => {
    // Like an S3 pre-signed URL: the signature is the credential, and a second auth mechanism is refused.
    if (headerValue(req, 'authorization')) {
      return {
        status: 400,
        contentType: 'application/xml',
        text: s3Error('InvalidArgument', 'Only one auth mechanism allowed'),
      };
    }
    const id = (req.params.file ?? '').replace(/\.jsonl$/, '');
    const job = ctx.jobs.get(id);
    if (!job?.rows || req.query.get('X-Amz-Signature') !== job.signature) {
      return { status: 403, contentType: 'application/xml', text: s3Error('AccessDenied', 'Access Denied') };
    }
    ctx.counters.dataFileDownloads++;
    return { status: 200, contentType: 'application/json', stream: jsonLines(job.rows) };
  });
}

/** Status is a function of time since submission; the result snapshot is taken when completion is first seen. */
function jobJson(ctx: ZuoraContext, job: DataQueryJobRecord, origin: string): Record<string, unknown> {
  const elapsed = ctx.now() - job.submittedAt;
  const delay = ctx.settings.dataQueryDelayMs;
  if (!job.rows && elapsed >= delay) {
    // Rows past the output cap are dropped: callers re-run "what is left" to get the rest.
    const rows = runDataQuery(job.select, ctx.state.creditMemos.values(), ctx.settings.maxOutputRows);
    job.rows = rows;
    job.outputRows = rows.length;
    job.completedAt = ctx.now();
  }
  const queryStatus = job.rows ? 'completed' : elapsed >= delay / 2 ? 'in_progress' : 'submitted';
  // Only the fields the spec's DataQueryJob declares (docs/zuora.md §8).
  return {
    id: job.id,
    query: job.query,
    queryStatus,
    sourceData: 'LIVE',
    useIndexJoin: false,
    remainingRetries: 3,
    updatedOn: isoDateTime(job.completedAt ?? ctx.now()),
    outputRows: job.outputRows,
    dataFile: job.rows
      ? `${origin}${DATA_FILE_PREFIX}${job.id}.jsonl?X-Amz-Expires=3600&X-Amz-Signature=${job.signature}`
      : undefined,
  };
}

function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}
