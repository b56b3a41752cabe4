// The Zuora emulator: routes + limits/faults + admin API on the shared HTTP helper.
import { randomUUID } from 'node:crypto';
import {
  LimitsAndFaults,
  Router,
  headerValue,
  jsonResponse,
  registerAdminRoutes,
  startHttpServer,
  type EmulatorResponse,
  type LimitsConfig,
  type LimitsConfigInput,
  type LimitsConfigPatch,
  type LimitsCounters,
} from '../common';
import {
  ZuoraContext,
  emptyZuoraCounters,
  zuoraSettingsSchema,
  type ZuoraCounters,
  type ZuoraSettings,
  type ZuoraSettingsInput,
} from './context';
import { RestCode, restError } from './errors';
import { enableInvoiceSettlement } from './migration';
import { registerAuthRoutes } from './routes/auth';
import { registerCreditMemoRoutes } from './routes/credit-memos';
import { DATA_FILE_PREFIX, registerDataQueryRoutes } from './routes/data-query';
import { registerInvoiceAdjustmentRoutes } from './routes/invoice-adjustments';
import { registerPaymentRunRoutes } from './routes/payment-runs';
import { registerPaymentRoutes } from './routes/payments';
import { registerZoqlRoutes } from './routes/zoql';
import { seedTenant, type SeedRequest } from './seed';
import type { ZuoraState } from './state';

export interface ZuoraEmulatorOptions extends ZuoraSettingsInput {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  limits?: LimitsConfigInput;
  /** Seeds data at start (e.g. `{ demo: true }`); empty tenant if omitted. */
  seed?: SeedRequest;
  /** Seed of the fault-injection PRNG. */
  faultSeed?: number;
  /** Injected clock (token expiry, Data Query progress, cursors, idempotency). */
  now?: () => number;
}

/** In-process control of a running emulator: the same operations as its `/__admin` API. */
export interface ZuoraEmulatorAdmin {
  configure(patch: LimitsConfigPatch & Partial<ZuoraSettingsInput>): LimitsConfig & ZuoraSettings;
  config(): LimitsConfig & ZuoraSettings;
  counters(): ZuoraCounters & { limits: LimitsCounters };
  /** The limits' counters alone: cheap enough to sample often (counters() copies a count per credit memo). */
  limitsCounters(): LimitsCounters;
  resetCounters(): void;
  seed(request: SeedRequest): Record<string, unknown>;
  reset(): void;
  enableInvoiceSettlement(): { creditMemosCreated: number };
  /**
   * What the operator does when the upgrade's step 2 waits: the NetSuite connector syncs every invoice item
   * adjustment and negative invoice (IntegrationStatus__NS = Sync Complete).
   */
  markSyncedToNetSuite(): { invoiceItemAdjustments: number; negativeInvoices: number };
  /** Makes every issued token invalid (next request: 401 → the client refreshes). */
  expireTokens(): void;
  /** Holds payment processing while true (to observe "Idempotency-Key in progress"). */
  holdPayments(hold: boolean): void;
}

export interface RunningZuoraEmulator {
  url: string;
  stop(): Promise<void>;
  /** Live tenant data (replaced by `admin.reset()`; read it through this getter). */
  readonly state: ZuoraState;
  admin: ZuoraEmulatorAdmin;
}

export async function startZuoraEmulator(options: ZuoraEmulatorOptions = {}): Promise<RunningZuoraEmulator> {
  const { port, host, limits: limitsInput, seed, faultSeed, now = Date.now, ...settingsInput } = options;
  const ctx = new ZuoraContext(zuoraSettingsSchema.parse(settingsInput), now);
  const limits = new LimitsAndFaults(zuoraLimitHooks(ctx), limitsInput, { seed: faultSeed, now });
  const router = new Router();

  registerAuthRoutes(router, ctx);
  registerCreditMemoRoutes(router, ctx);
  registerDataQueryRoutes(router, ctx);
  registerZoqlRoutes(router, ctx);
  registerInvoiceAdjustmentRoutes(router, ctx);
  registerPaymentRoutes(router, ctx);
  registerPaymentRunRoutes(router, ctx);

  const admin: ZuoraEmulatorAdmin = {
    configure: (patch) => {
      const limitKeys = new Set(Object.keys(limits.config()));
      const entries = Object.entries(patch);
      limits.configure(Object.fromEntries(entries.filter(([k]) => limitKeys.has(k))) as LimitsConfigPatch);
      ctx.settings = zuoraSettingsSchema.parse({
        ...ctx.settings,
        ...Object.fromEntries(entries.filter(([k]) => !limitKeys.has(k))),
      });
      return admin.config();
    },
    config: () => ({ ...ctx.settings, ...limits.config() }),
    counters: () => ({ ...structuredClone(ctx.counters), limits: limits.counters() }),
    limitsCounters: () => limits.counters(),
    resetCounters: () => {
      ctx.counters = emptyZuoraCounters();
      limits.resetCounters();
    },
    seed: (request) =>
      seedTenant(ctx.state, request, {
        now: ctx.now(),
        lockReleaseAfterAttempts: ctx.settings.lockReleaseAfterAttempts,
      }),
    reset: () => {
      ctx.reset();
      limits.resetCounters();
    },
    enableInvoiceSettlement: () => enableInvoiceSettlement(ctx.state, ctx.now()),
    markSyncedToNetSuite: () => {
      const marked = { invoiceItemAdjustments: 0, negativeInvoices: 0 };
      for (const r of ctx.state.invoiceItemAdjustments.values()) {
        if (r.IntegrationStatus__NS === 'Sync Complete') continue;
        r.IntegrationStatus__NS = 'Sync Complete';
        marked.invoiceItemAdjustments++;
      }
      for (const r of ctx.state.invoices.values()) {
        if (Number(r.Amount) >= 0 || r.IntegrationStatus__NS === 'Sync Complete') continue;
        r.IntegrationStatus__NS = 'Sync Complete';
        marked.negativeInvoices++;
      }
      return marked;
    },
    expireTokens: () => ctx.tokens.clear(),
    holdPayments: (hold) => ctx.holdPayments(hold),
  };

  registerAdminRoutes(router, {
    limits,
    counters: () => structuredClone(ctx.counters) as unknown as Record<string, unknown>,
    resetCounters: () => {
      ctx.counters = emptyZuoraCounters();
    },
    state: () => ({
      ...ctx.state.summary(),
      creditMemos: [...ctx.state.creditMemos.values()].slice(0, 1000),
      invoices: [...ctx.state.invoices.values()],
      accounts: [...ctx.state.accounts.values()],
      invoiceItemAdjustments: [...ctx.state.invoiceItemAdjustments.values()],
      invoiceAdjustments: [...ctx.state.invoiceAdjustments.values()],
      payments: [...ctx.state.payments.values()],
    }),
    seed: (body) => admin.seed(body as SeedRequest),
    reset: () => ctx.reset(),
    settings: {
      get: () => ({ ...ctx.settings }),
      patch: (patch) => {
        ctx.settings = zuoraSettingsSchema.parse({ ...ctx.settings, ...patch });
      },
    },
  });
  router
    .on('POST', '/__admin/enable-invoice-settlement', () => jsonResponse(200, admin.enableInvoiceSettlement()))
    .on('POST', '/__admin/mark-synced-to-netsuite', () => jsonResponse(200, admin.markSyncedToNetSuite()))
    .on('POST', '/__admin/expire-tokens', () => {
      admin.expireTokens();
      return jsonResponse(200, { ok: true });
    })
    .on('POST', '/__admin/payments/hold', () => {
      admin.holdPayments(true);
      return jsonResponse(200, { held: true });
    })
    .on('POST', '/__admin/payments/release', () => {
      admin.holdPayments(false);
      return jsonResponse(200, { held: false });
    });

  if (seed) admin.seed(seed);

  const server = await startHttpServer({
    router,
    port,
    host,
    limits,
    isExempt: (path) => path.startsWith(DATA_FILE_PREFIX),
    decorate: (req, res): EmulatorResponse => {
      // Every response carries a request id; a Zuora-Track-Id sent by the client is echoed.
      const headers: Record<string, string | number> = { ...res.headers, 'Zuora-Request-Id': randomUUID() };
      const trackId = headerValue(req, 'zuora-track-id');
      if (trackId !== undefined) headers['Zuora-Track-Id'] = trackId;
      return { ...res, headers };
    },
    errors: {
      notFound: (req) => restError(404, RestCode.NOT_FOUND, `No such resource: ${req.method} ${req.path}`),
      methodNotAllowed: (req, allowed) =>
        restError(
          405,
          RestCode.UNSUPPORTED,
          `Method ${req.method} is not supported here (allowed: ${allowed.join(', ')})`,
          {
            Allow: allowed.join(', '),
          },
        ),
      bodyTooLarge: (_req, limit) => restError(413, RestCode.LIMIT_EXCEEDED, `Request body larger than ${limit} bytes`),
      internal: (_req, error) => restError(500, RestCode.INTERNAL_ERROR, `Internal error: ${(error as Error).message}`),
    },
  });

  return {
    url: server.url,
    stop: async () => {
      ctx.holdPayments(false);
      await server.stop();
    },
    get state() {
      return ctx.state;
    },
    admin,
  };
}

/** Zuora's answers to limits and injected faults (docs/zuora.md §6). */
function zuoraLimitHooks(ctx: ZuoraContext) {
  const limited = (limit: number, inFlight: number): EmulatorResponse =>
    restError(
      429,
      RestCode.LIMIT_EXCEEDED,
      'The tenant exceeded its concurrent request limit; retry after the Retry-After delay',
      {
        'Retry-After': ctx.settings.retryAfterSeconds,
        'Concurrency-Limit-Type': 'Default',
        'Concurrency-Limit-Limit': limit > 0 ? limit : 40,
        'Concurrency-Limit-Remaining': Math.max(0, (limit > 0 ? limit : 40) - inFlight),
      },
    );
  return {
    tooManyConcurrent: ({ limit, inFlight }: { limit: number; inFlight: number }) => limited(limit, inFlight),
    rateLimited: ({ resetSeconds }: { limit: number; resetSeconds: number }) =>
      restError(429, RestCode.LIMIT_EXCEEDED, 'API rate limit exceeded for the minute', {
        'Retry-After': resetSeconds,
      }),
    serverError: (status: 500 | 503) =>
      status === 500
        ? restError(500, RestCode.INTERNAL_ERROR, 'Internal server error (injected)')
        : restError(503, RestCode.TEMPORARY_ERROR, 'Service temporarily unavailable (injected)'),
    // A 200 whose body has none of the documented fields.
    malformed: () => jsonResponse(200, { result: 'ok', data: null, note: 'malformed response (injected fault)' }),
  };
}
