import { z } from 'zod';
import { sleep } from '../../src/http/backoff';
import { seededRandom } from './random';
import type { EmulatorRequest, EmulatorResponse } from './types';

const rate = z.number().min(0).max(1);

/** Run-time configurable limits and faults. 0 means "off" for limits. */
export const limitsConfigSchema = z.object({
  latencyMs: z.number().int().min(0).default(0),
  jitterMs: z.number().int().min(0).default(0),
  concurrencyLimit: z.number().int().min(0).default(0),
  ratePerMinute: z.number().int().min(0).default(0),
  faults: z
    .object({
      /** Share of requests answered 500 or 503 (half each) before reaching the handler. */
      errorRate: rate.default(0),
      /** Share of requests whose socket is destroyed without an answer. */
      dropRate: rate.default(0),
      /** Share of requests delayed by an extra `slowMs`. */
      slowRate: rate.default(0),
      slowMs: z.number().int().min(0).default(0),
      /** Share of requests answered 200 with a body of an unexpected shape (the API's `malformed` hook). */
      malformedRate: rate.default(0),
    })
    .prefault({}),
  /** The next N requests are answered 429 (one-shot; counts down). */
  burst429: z.number().int().min(0).default(0),
});
export type LimitsConfig = z.infer<typeof limitsConfigSchema>;
export type LimitsConfigInput = z.input<typeof limitsConfigSchema>;

/** Partial update accepted at run time (`POST /__admin/config`); faults merge key by key. */
export const limitsConfigPatchSchema = limitsConfigSchema
  .extend({
    faults: limitsConfigSchema.shape.faults.unwrap().partial().optional(),
  })
  .partial();
export type LimitsConfigPatch = z.infer<typeof limitsConfigPatchSchema>;

export interface LimitHooks {
  /** Over the concurrency limit (and for `burst429`): the API's own 429 body and headers. */
  tooManyConcurrent(info: { limit: number; inFlight: number }): EmulatorResponse;
  /** Over the per-minute rate limit; RateLimit-* headers are added by the middleware. */
  rateLimited(info: { limit: number; resetSeconds: number }): EmulatorResponse;
  serverError(status: 500 | 503): EmulatorResponse;
  /** A 200 whose body does not have the documented shape. */
  malformed(req: EmulatorRequest): EmulatorResponse;
}

export interface LimitsCounters {
  requests: number;
  byRoute: Record<string, number>;
  byStatus: Record<string, number>;
  sent429: number;
  concurrencyRejected: number;
  rateLimited: number;
  burst429Sent: number;
  dropped: number;
  injectedErrors: number;
  slowed: number;
  malformed: number;
  inFlight: number;
  maxConcurrentObserved: number;
}

/** The request was answered by destroying its socket. */
export const DROP = Symbol('drop');

function emptyCounters(): LimitsCounters {
  return {
    requests: 0,
    byRoute: {},
    byStatus: {},
    sent429: 0,
    concurrencyRejected: 0,
    rateLimited: 0,
    burst429Sent: 0,
    dropped: 0,
    injectedErrors: 0,
    slowed: 0,
    malformed: 0,
    inFlight: 0,
    maxConcurrentObserved: 0,
  };
}

/**
 * Middleware that makes an emulator behave like a busy SaaS API: latency, a concurrency limit, a per-minute
 * rate limit and injected faults, all adjustable while running. Faults draw from a seeded PRNG so a failing
 * test run can be reproduced.
 */
export class LimitsAndFaults {
  private current: LimitsConfig;
  private stats: LimitsCounters = emptyCounters();
  private random: () => number;
  private windowMinute = -1;
  private windowCount = 0;

  constructor(
    private readonly hooks: LimitHooks,
    config: LimitsConfigInput = {},
    private readonly options: { seed?: number; now?: () => number } = {},
  ) {
    this.current = limitsConfigSchema.parse(config);
    this.random = seededRandom(options.seed ?? 1);
  }

  config(): LimitsConfig {
    return structuredClone(this.current);
  }

  configure(patch: LimitsConfigPatch): LimitsConfig {
    const { faults, ...rest } = patch;
    this.current = limitsConfigSchema.parse({
      ...this.current,
      ...rest,
      faults: { ...this.current.faults, ...faults },
    });
    return this.config();
  }

  counters(): LimitsCounters {
    return structuredClone(this.stats);
  }

  resetCounters(): void {
    this.stats = { ...emptyCounters(), inFlight: this.stats.inFlight };
  }

  /** Runs `next` under the limits; returns the response to send, or DROP to destroy the socket. */
  async process(req: EmulatorRequest, next: () => Promise<EmulatorResponse>): Promise<EmulatorResponse | typeof DROP> {
    const stats = this.stats;
    stats.requests++;
    stats.byRoute[req.routeName] = (stats.byRoute[req.routeName] ?? 0) + 1;
    const cfg = this.current;

    if (cfg.burst429 > 0) {
      cfg.burst429--;
      stats.burst429Sent++;
      return this.count429(this.hooks.tooManyConcurrent({ limit: cfg.concurrencyLimit, inFlight: stats.inFlight }));
    }

    const rateHeaders = this.takeRateToken(cfg);
    if (rateHeaders && Number(rateHeaders['RateLimit-Remaining']) < 0) {
      stats.rateLimited++;
      rateHeaders['RateLimit-Remaining'] = 0;
      const res = this.hooks.rateLimited({
        limit: cfg.ratePerMinute,
        resetSeconds: Number(rateHeaders['RateLimit-Reset']),
      });
      return this.count429(withHeaders(res, rateHeaders));
    }

    if (cfg.concurrencyLimit > 0 && stats.inFlight >= cfg.concurrencyLimit) {
      stats.concurrencyRejected++;
      return this.count429(
        withHeaders(
          this.hooks.tooManyConcurrent({ limit: cfg.concurrencyLimit, inFlight: stats.inFlight }),
          rateHeaders,
        ),
      );
    }

    stats.inFlight++;
    stats.maxConcurrentObserved = Math.max(stats.maxConcurrentObserved, stats.inFlight);
    try {
      const delay = cfg.latencyMs + (cfg.jitterMs > 0 ? Math.floor(this.random() * cfg.jitterMs) : 0);
      if (delay > 0) await sleep(delay);
      const { faults } = cfg;
      if (faults.dropRate > 0 && this.random() < faults.dropRate) {
        stats.dropped++;
        return DROP;
      }
      if (faults.errorRate > 0 && this.random() < faults.errorRate) {
        stats.injectedErrors++;
        return withHeaders(this.hooks.serverError(this.random() < 0.5 ? 500 : 503), rateHeaders);
      }
      if (faults.slowRate > 0 && this.random() < faults.slowRate) {
        stats.slowed++;
        await sleep(faults.slowMs);
      }
      if (faults.malformedRate > 0 && this.random() < faults.malformedRate) {
        stats.malformed++;
        return withHeaders(this.hooks.malformed(req), rateHeaders);
      }
      return withHeaders(await next(), rateHeaders);
    } finally {
      stats.inFlight--;
    }
  }

  /** Records the final status of every limited request (including handler answers). */
  recordStatus(status: number): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  private count429(res: EmulatorResponse): EmulatorResponse {
    this.stats.sent429++;
    return res;
  }

  /** Fixed one-minute window; returns the RateLimit-* headers, with Remaining < 0 meaning "over". */
  private takeRateToken(cfg: LimitsConfig): Record<string, number> | undefined {
    if (cfg.ratePerMinute <= 0) return undefined;
    const now = (this.options.now ?? Date.now)();
    const minute = Math.floor(now / 60_000);
    if (minute !== this.windowMinute) {
      this.windowMinute = minute;
      this.windowCount = 0;
    }
    this.windowCount++;
    return {
      'RateLimit-Limit': cfg.ratePerMinute,
      'RateLimit-Remaining': cfg.ratePerMinute - this.windowCount,
      'RateLimit-Reset': Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000)),
    };
  }
}

function withHeaders(res: EmulatorResponse, extra: Record<string, string | number> | undefined): EmulatorResponse {
  if (!extra) return res;
  return { ...res, headers: { ...extra, ...res.headers } };
}
