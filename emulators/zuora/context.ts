// Everything the Zuora emulator's routes share: tenant data, settings, counters and short-lived server state.
import { z } from 'zod';
import type { EmulatorResponse } from '../common';
import type { DataQueryJobRecord } from './data-query';
import { ZuoraState, type FieldValue } from './state';

export const DEMO_CLIENT_ID = 'de305d54-75b4-431b-adb2-eb6b9e546014';

export const zuoraSettingsSchema = z.strictObject({
  /** Zuora's OAuth client ids are UUID-shaped, exactly 36 characters; secrets at most 42 (docs/zuora.md §8). */
  clientId: z.string().length(36, 'a Zuora OAuth client id is 36 characters').default(DEMO_CLIENT_ID),
  clientSecret: z
    .string()
    .min(1)
    .max(42, 'a Zuora OAuth client secret is at most 42 characters')
    .default('demo-client-secret'),
  /** Zuora's tokens last 3599 s. */
  tokenTtlSeconds: z.number().min(0).default(3599),
  /** Retry-After sent with 429s (Zuora sends e.g. 120; small by default so tests stay quick). */
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** Data Query: submitted → in_progress at half this delay, completed at the full delay. */
  dataQueryDelayMs: z.number().int().min(0).default(50),
  /** Live Data Query output cap (docs/zuora.md §2: 500,000; an older page says 100,000). */
  maxOutputRows: z.number().int().min(1).default(500_000),
  queryLocatorTtlMs: z
    .number()
    .int()
    .min(1)
    .default(15 * 60_000),
  /** How many write attempts a "locked" credit memo refuses before it accepts. */
  lockReleaseAfterAttempts: z.number().int().min(0).default(1),
  idempotencyTtlMs: z
    .number()
    .int()
    .min(1)
    .default(24 * 3_600_000),
});
export type ZuoraSettings = z.infer<typeof zuoraSettingsSchema>;
export type ZuoraSettingsInput = z.input<typeof zuoraSettingsSchema>;

export interface ZuoraCounters {
  /** Successful writes per credit memo id (a second write of the same memo shows up here). */
  writesPerCreditMemo: Record<string, number>;
  /** Invoice adjustments created per ReferenceId (> 1 means a duplicate in the ledger). */
  adjustmentsPerReferenceId: Record<string, number>;
  /** Payments created per Idempotency-Key (replays do not create). */
  paymentsPerIdempotencyKey: Record<string, number>;
  idempotencyReplays: number;
  idempotencyInProgress409: number;
  idempotencyMismatch422: number;
  tokensIssued: number;
  tokenRejections: number;
  unauthorized401: number;
  dataQueryJobs: number;
  dataFileDownloads: number;
  creditMemoItemFailures: number;
}

export function emptyZuoraCounters(): ZuoraCounters {
  return {
    writesPerCreditMemo: {},
    adjustmentsPerReferenceId: {},
    paymentsPerIdempotencyKey: {},
    idempotencyReplays: 0,
    idempotencyInProgress409: 0,
    idempotencyMismatch422: 0,
    tokensIssued: 0,
    tokenRejections: 0,
    unauthorized401: 0,
    dataQueryJobs: 0,
    dataFileDownloads: 0,
    creditMemoItemFailures: 0,
  };
}

export interface QueryCursor {
  records: Array<Record<string, FieldValue>>;
  offset: number;
  batchSize: number;
  expiresAt: number;
}

export interface IdempotencyEntry {
  method: string;
  path: string;
  bodyHash: string;
  createdAt: number;
  /** Undefined while the first request with this key is still being processed. */
  response?: EmulatorResponse;
}

export class ZuoraContext {
  state = new ZuoraState();
  counters = emptyZuoraCounters();
  readonly tokens = new Map<string, number>(); // token → expiry (ms)
  readonly jobs = new Map<string, DataQueryJobRecord>();
  readonly cursors = new Map<string, QueryCursor>();
  readonly idempotency = new Map<string, IdempotencyEntry>();
  private paymentHold: { promise: Promise<void>; release: () => void } | undefined;

  constructor(
    public settings: ZuoraSettings,
    readonly now: () => number,
  ) {}

  /** While held, payment processing waits (lets tests observe "same key still in progress"). */
  holdPayments(hold: boolean): void {
    if (hold && !this.paymentHold) {
      let release = (): void => undefined;
      const promise = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.paymentHold = { promise, release };
    } else if (!hold && this.paymentHold) {
      this.paymentHold.release();
      this.paymentHold = undefined;
    }
  }

  async paymentsReleased(): Promise<void> {
    await this.paymentHold?.promise;
  }

  reset(): void {
    this.holdPayments(false);
    this.state = new ZuoraState();
    this.counters = emptyZuoraCounters();
    this.tokens.clear();
    this.jobs.clear();
    this.cursors.clear();
    this.idempotency.clear();
  }
}

export function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
