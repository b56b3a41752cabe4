import type { SqlValue } from 'sql.js';
import { z } from 'zod';
import { connectorFields, type ConnectorFieldIds } from '../../src/netsuite/fields';
import {
  LimitsAndFaults,
  Router,
  hasMediaType,
  headerValue,
  jsonResponse,
  parseJsonBody,
  registerAdminRoutes,
  startHttpServer,
  withJson,
  type EmulatorRequest,
  type EmulatorResponse,
  type LimitsConfig,
  type LimitsConfigInput,
  type LimitsConfigPatch,
  type LimitsCounters,
  type RouteHandler,
} from '../common';
import { EmulatorStateError, NetSuiteAccount, type CreditMemoLinkDirection } from './account';
import { TbaVerifier, type TbaCredentialSet, type TbaRejection } from './auth';
import { createAccountDatabase, loadSqlJs, queryRows } from './database';
import { invalidLogin, netSuiteError } from './error-bodies';
import { RECORD_TYPES, isRecordType, renderRecord, validatePatch } from './records';
import { seedAccount, type NetSuiteSeedRequest, type NetSuiteSeedSummary } from './seed';
import { SUITEQL_MAX_LIMIT, SUITEQL_RESULT_CAP, SuiteqlError, executeSuiteqlPage } from './suiteql';

export interface NetSuiteEmulatorOptions {
  port?: number;
  host?: string;
  /** The TBA credentials the account accepts (defaults are fixed, for tests and the demo). */
  credentials?: Partial<TbaCredentialSet>;
  fields?: Partial<ConnectorFieldIds>;
  /** Latency, faults, limits. Default: concurrency limit 5 (a standard account). */
  limits?: LimitsConfigInput;
  /** Accepted clock skew of oauth_timestamp. Default 5 minutes. */
  maxSkewMs?: number;
  /** Retry-After (seconds) sent with 429s; NetSuite does not document one, so none by default. */
  retryAfterSeconds?: number;
  creditMemoLinkDirection?: CreditMemoLinkDirection;
  now?: () => number;
  /** Seeded at start, e.g. `{ demo: true }`. */
  seed?: NetSuiteSeedRequest;
  /** Seed of the fault-injection PRNG. */
  faultSeed?: number;
}

export interface NetSuiteEmulatorCredentials extends TbaCredentialSet {
  /** Pass straight to NetSuiteClient. */
  restBaseUrl: string;
}

export interface NetSuiteEmulatorCounters {
  requests: number;
  /** PATCHes per record, keyed `<type>/<id>`. */
  patchesByRecord: Record<string, number>;
  patches: number;
  suiteqlQueries: number;
  invalidLogins: number;
  authFailures: Partial<Record<TbaRejection | 'injected', number>>;
  throttled: number;
  maxConcurrent: number;
  limits: LimitsCounters;
}

export interface NetSuiteEmulatorAdmin {
  /** Direct access to the account's records (in-process tests). */
  readonly account: NetSuiteAccount;
  seed(request: NetSuiteSeedRequest): NetSuiteSeedSummary;
  configure(patch: LimitsConfigPatch): LimitsConfig;
  counters(): NetSuiteEmulatorCounters;
  resetCounters(): void;
  /** Back to an empty account (data, nonces kept; counters cleared). */
  reset(): void;
  /** The next `count` authenticated requests answer 401 INVALID_LOGIN, as NetSuite can under overload. */
  injectInvalidLogins(count: number): void;
  setMaxSkewMs(ms: number): void;
  /** Raw SQL against the account (read-only use in tests). */
  query(sql: string): Record<string, unknown>[];
}

export interface RunningNetSuiteEmulator {
  url: string;
  port: number;
  stop(): Promise<void>;
  admin: NetSuiteEmulatorAdmin;
  credentials: NetSuiteEmulatorCredentials;
}

const DEFAULT_CREDENTIALS: TbaCredentialSet = {
  accountId: 'TSTDRV1234567',
  consumerKey: 'emulator-consumer-key-0000000000000000000000000000000000000000',
  consumerSecret: 'emulator-consumer-secret-000000000000000000000000000000000000',
  tokenId: 'emulator-token-id-00000000000000000000000000000000000000000000',
  tokenSecret: 'emulator-token-secret-0000000000000000000000000000000000000000',
};

const API = '/services/rest';

export async function startNetSuiteEmulator(options: NetSuiteEmulatorOptions = {}): Promise<RunningNetSuiteEmulator> {
  const now = options.now ?? Date.now;
  const credentials: TbaCredentialSet = { ...DEFAULT_CREDENTIALS, ...options.credentials };
  const fields = connectorFields(options.fields);
  const SQL = await loadSqlJs();
  const newAccount = () =>
    new NetSuiteAccount(createAccountDatabase(SQL, fields, now), now, options.creditMemoLinkDirection);
  let account = newAccount();
  let maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  let injectedInvalidLogins = 0;
  const retryAfter: Record<string, number> =
    options.retryAfterSeconds === undefined ? {} : { 'Retry-After': options.retryAfterSeconds };

  const emptyCounters = () => ({
    patchesByRecord: {} as Record<string, number>,
    patches: 0,
    suiteqlQueries: 0,
    invalidLogins: 0,
    authFailures: {} as NetSuiteEmulatorCounters['authFailures'],
  });
  let counters = emptyCounters();

  const limits = new LimitsAndFaults(
    {
      tooManyConcurrent: ({ limit }) =>
        netSuiteError(
          429,
          'CONCURRENCY_LIMIT_EXCEEDED',
          `Request blocked by the request concurrency limit (${limit}). Retry later.`,
          { headers: retryAfter },
        ),
      rateLimited: ({ resetSeconds }) =>
        netSuiteError(429, 'REQUEST_LIMIT_EXCEEDED', 'Request limit exceeded. Retry later.', {
          headers: { 'Retry-After': resetSeconds },
        }),
      serverError: (status) =>
        netSuiteError(status, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: emulated-fault.'),
      malformed: () => jsonResponse(200, { unexpected: 'shape', items: 'not-a-list' }),
    },
    { concurrencyLimit: 5, ...options.limits },
    { seed: options.faultSeed, now },
  );

  const verifier = new TbaVerifier(() => [credentials], { now, maxSkewMs: () => maxSkewMs });

  /** TBA first: every API route answers 401 INVALID_LOGIN for any authentication problem, as NetSuite does. */
  const authenticated =
    (handler: RouteHandler): RouteHandler =>
    (req) => {
      const failure = (reason: TbaRejection | 'injected'): EmulatorResponse => {
        counters.invalidLogins++;
        counters.authFailures[reason] = (counters.authFailures[reason] ?? 0) + 1;
        return invalidLogin();
      };
      const form = hasMediaType(headerValue(req, 'content-type'), 'application/x-www-form-urlencoded');
      const result = verifier.verify({
        method: req.method,
        url: `${req.origin}${req.raw.url ?? req.path}`,
        authorization: headerValue(req, 'authorization'),
        formBody: form ? req.rawBody.toString('utf8') : undefined,
      });
      if (!result.ok) return failure(result.reason);
      if (injectedInvalidLogins > 0) {
        injectedInvalidLogins--;
        return failure('injected');
      }
      return handler(req);
    };

  const suiteql: RouteHandler = (req) => {
    if (!/\btransient\b/i.test(headerValue(req, 'prefer') ?? '')) {
      return netSuiteError(400, 'INVALID_PARAMETER', "SuiteQL requests must send the header 'Prefer: transient'.");
    }
    const limit = integerParam(req.query.get('limit'), SUITEQL_MAX_LIMIT);
    const offset = integerParam(req.query.get('offset'), 0);
    if (limit === undefined || limit < 1 || limit > SUITEQL_MAX_LIMIT) {
      return netSuiteError(400, 'INVALID_PARAMETER', `Invalid limit: must be between 1 and ${SUITEQL_MAX_LIMIT}.`, {
        errorPath: 'limit',
      });
    }
    if (offset === undefined || offset < 0 || offset % limit !== 0) {
      return netSuiteError(400, 'INVALID_PARAMETER', 'Invalid offset: must be a non-negative multiple of limit.', {
        errorPath: 'offset',
      });
    }
    if (offset + limit > SUITEQL_RESULT_CAP) {
      return netSuiteError(
        400,
        'INVALID_PARAMETER',
        `SuiteQL returns at most ${SUITEQL_RESULT_CAP} results for a query; offset ${offset} with limit ${limit} is beyond that. Page by key (id > last id ORDER BY id) instead.`,
        { errorPath: 'offset' },
      );
    }
    const body = parseJsonBody(req.rawBody);
    const q = body.ok ? z.object({ q: z.string().min(1) }).safeParse(body.value) : undefined;
    if (!q?.success) {
      return netSuiteError(400, 'INVALID_CONTENT', 'The request body must be a JSON object with a "q" query string.');
    }
    counters.suiteqlQueries++;
    try {
      const page = executeSuiteqlPage(account.database, q.data.q, limit, offset);
      const href = (o: number) => `${req.origin}${API}/query/v1/suiteql?limit=${limit}&offset=${o}`;
      const lastOffset = Math.max(0, Math.floor((Math.min(page.totalResults, SUITEQL_RESULT_CAP) - 1) / limit) * limit);
      const links = [
        ...(page.hasMore ? [{ rel: 'next', href: href(offset + limit) }] : []),
        { rel: 'last', href: href(lastOffset) },
        { rel: 'self', href: href(offset) },
      ];
      return jsonResponse(200, {
        links,
        count: page.items.length,
        hasMore: page.hasMore,
        items: page.items,
        offset,
        totalResults: page.totalResults,
      });
    } catch (error) {
      if (error instanceof SuiteqlError) return netSuiteError(400, error.errorCode, error.message);
      throw error;
    }
  };

  const findRecord = (
    req: EmulatorRequest,
  ): { error: EmulatorResponse } | { type: keyof typeof RECORD_TYPES; row: Record<string, SqlValue> } => {
    const type = req.params.type ?? '';
    if (!isRecordType(type))
      return { error: netSuiteError(404, 'NONEXISTENT_ID', `Record type '${type}' is not supported.`) };
    const key = req.params.id ?? '';
    const row = key.startsWith('eid:')
      ? queryRows(account.database, 'SELECT * FROM "transaction" WHERE externalid = ? AND type = ?', [
          key.slice(4),
          RECORD_TYPES[type],
        ])[0]
      : /^\d+$/.test(key)
        ? account.transaction(Number(key))
        : undefined;
    if (!row || row.type !== RECORD_TYPES[type]) {
      return {
        error: netSuiteError(
          404,
          'NONEXISTENT_ID',
          'The record instance does not exist. Provide a valid record instance ID.',
          { errorPath: 'id' },
        ),
      };
    }
    return { type, row };
  };

  const getRecord: RouteHandler = (req) => {
    const found = findRecord(req);
    if ('error' in found) return found.error;
    const expand = req.query.get('expandSubResources') === 'true';
    return jsonResponse(200, renderRecord(account, req.origin, found.type, found.row, expand));
  };

  const patchRecord: RouteHandler = (req) => {
    const found = findRecord(req);
    if ('error' in found) return found.error;
    const body = parseJsonBody(req.rawBody);
    if (!body.ok) return netSuiteError(400, 'INVALID_CONTENT', body.message);
    const patch = validatePatch(account, body.value);
    if (!patch.ok) return netSuiteError(400, 'INVALID_CONTENT', patch.detail, { errorPath: patch.field });
    const id = Number(found.row.id);
    account.updateBodyFields(id, patch.columns);
    const key = `${found.type}/${id}`;
    counters.patchesByRecord[key] = (counters.patchesByRecord[key] ?? 0) + 1;
    counters.patches++;
    return { status: 204, headers: { Location: `${req.origin}${API}/record/v1/${key}` } };
  };

  const governanceLimits: RouteHandler = () => {
    const limit = limits.config().concurrencyLimit || 5;
    return jsonResponse(200, {
      accountConcurrencyLimit: limit,
      accountUnallocatedConcurrencyLimit: limit,
      integrationLimitType: 'accountLimit',
    });
  };

  const admin: NetSuiteEmulatorAdmin = {
    get account() {
      return account;
    },
    seed: (request) => seedAccount(account, request),
    configure: (patch) => limits.configure(patch),
    counters: () => {
      const l = limits.counters();
      return {
        ...structuredClone(counters),
        requests: l.requests,
        throttled: l.sent429,
        maxConcurrent: l.maxConcurrentObserved,
        limits: l,
      };
    },
    resetCounters: () => {
      counters = emptyCounters();
      limits.resetCounters();
    },
    reset: () => {
      account.close();
      account.database.close();
      account = newAccount();
      counters = emptyCounters();
    },
    injectInvalidLogins: (count) => {
      injectedInvalidLogins = count;
    },
    setMaxSkewMs: (ms) => {
      maxSkewMs = ms;
    },
    query: (sql) => queryRows(account.database, sql),
  };

  const router = new Router()
    .on('POST', `${API}/query/v1/suiteql`, authenticated(suiteql))
    .on('GET', `${API}/record/v1/:type/:id`, authenticated(getRecord))
    .on('PATCH', `${API}/record/v1/:type/:id`, authenticated(patchRecord))
    .on('GET', `${API}/system/v1/governanceLimits`, authenticated(governanceLimits));
  registerAdminRoutes(router, {
    limits,
    counters: () => {
      const { limits: _limits, ...rest } = admin.counters();
      return rest;
    },
    resetCounters: () => {
      counters = emptyCounters();
    },
    state: () => ({
      creditMemos: account.count('CustCred'),
      invoices: account.count('CustInvc'),
      payments: account.count('CustPymt'),
      creditMemoLinkDirection: account.creditMemoLinkDirection,
    }),
    seed: (body) => seedAccount(account, body),
    reset: () => admin.reset(),
  });
  registerNetSuiteAdminRoutes(router, () => account, admin);

  if (options.seed) seedAccount(account, options.seed);

  const server = await startHttpServer({
    router,
    port: options.port ?? 0,
    host: options.host,
    limits,
    errors: {
      notFound: (req) => netSuiteError(404, 'NONEXISTENT_ID', `No resource at ${req.path}.`),
      methodNotAllowed: (req, allowed) =>
        netSuiteError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allowed.join(', ')}.`),
      bodyTooLarge: (_req, limitBytes) =>
        netSuiteError(413, 'INVALID_CONTENT', `The request body exceeds ${limitBytes} bytes.`),
      internal: (_req, error) =>
        netSuiteError(500, 'UNEXPECTED_ERROR', `An unexpected error occurred: ${(error as Error).message}`),
    },
  });

  return {
    url: server.url,
    port: server.port,
    stop: async () => {
      await server.stop();
      account.close();
      account.database.close();
    },
    admin,
    credentials: { ...credentials, restBaseUrl: server.url },
  };
}

/** NetSuite-specific admin routes (no auth, no limits), next to the common `/__admin/...` ones. */
function registerNetSuiteAdminRoutes(router: Router, account: () => NetSuiteAccount, admin: NetSuiteEmulatorAdmin) {
  const stateError = (fn: () => EmulatorResponse): EmulatorResponse => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof EmulatorStateError) return jsonResponse(409, { error: error.message });
      throw error;
    }
  };
  const applySchema = z.object({ invoiceId: z.number().int(), amount: z.number().positive() });
  router
    .on('POST', '/__admin/netsuite/credit-memos/:id/apply', (req) =>
      withJson(req, (body) => {
        const { invoiceId, amount } = applySchema.parse(body);
        return stateError(() => {
          account().applyCreditMemo(Number(req.params.id), { invoice: invoiceId, amount });
          return jsonResponse(200, account().transaction(Number(req.params.id)));
        });
      }),
    )
    .on('POST', '/__admin/netsuite/credit-memos/:id/unapply', (req) =>
      withJson(req, (body) => {
        const { invoiceId } = z.object({ invoiceId: z.number().int().optional() }).parse(body);
        return stateError(() => {
          const removed = account().unapplyCreditMemo(Number(req.params.id), invoiceId);
          return jsonResponse(200, { removed, creditMemo: account().transaction(Number(req.params.id)) });
        });
      }),
    )
    .on('POST', '/__admin/netsuite/invalid-logins', (req) =>
      withJson(req, (body) => {
        const { count } = z.object({ count: z.number().int().min(0) }).parse(body);
        admin.injectInvalidLogins(count);
        return jsonResponse(200, { count });
      }),
    )
    .on('GET', '/__admin/netsuite/transactions/:id', (req) => {
      const row = account().transaction(Number(req.params.id));
      return row
        ? jsonResponse(200, { ...row, applications: account().applicationsOf(Number(req.params.id)) })
        : jsonResponse(404, { error: 'no such transaction' });
    });
}

function integerParam(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}
