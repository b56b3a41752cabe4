// The migration's breaker (issue 14 §2): when Zuora refuses too many memos, or a memo with a code the operator
// named, the bulk update pauses itself and waits for the operator. The rule is plain code over counts, so it is unit
// tested without a server (test/migration/breaker.unit.test.ts); the chunk activity feeds it as batches finish.
import { z } from 'zod';

export const breakerOptionsSchema = z
  .object({
    /** false: the migration never pauses itself (refusals are still reported memo by memo). */
    enabled: z.boolean().default(true),
    /** Trip when more than this share of the memos in the window is refused (0.1 = 10 %). */
    maxRefusedRate: z
      .number({ message: 'breaker.maxRefusedRate must be a number between 0 and 1' })
      .gt(0, 'breaker.maxRefusedRate must be above 0 (use enabled: false to switch the breaker off)')
      .max(1, 'breaker.maxRefusedRate must be at most 1'),
    /** The window: the last this many memos the chunk finished (refused or not). */
    windowMemos: z.number().int().min(10, 'breaker.windowMemos must be at least 10').max(100_000),
    /** No judgement on the rate before this many memos are in the window (one early refusal is not a trend). */
    minMemos: z.number().int().min(1, 'breaker.minMemos must be at least 1'),
    /** Any memo refused with one of these Zuora codes (e.g. "50000040") trips the breaker at once. */
    tripOnCodes: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'breaker.tripOnCodes holds Zuora codes such as "50000040"'))
      .max(50, 'breaker.tripOnCodes takes at most 50 codes'),
  })
  .partial()
  .transform((o) => ({ ...BREAKER_DEFAULTS, ...o }))
  .refine((o) => o.minMemos <= o.windowMemos, {
    message: 'breaker.minMemos may not exceed breaker.windowMemos',
    path: ['minMemos'],
  });

/** > 10 % of the last 500 memos refused, judged from 100 memos on; no code trips it by default. */
export const BREAKER_DEFAULTS = {
  enabled: true,
  maxRefusedRate: 0.1,
  windowMemos: 500,
  minMemos: 100,
  tripOnCodes: [] as string[],
};

export type BreakerOptions = z.output<typeof breakerOptionsSchema>;

/** The last `size` memo outcomes, oldest dropped first: how many there are and how many were refused. */
export class RefusalWindow {
  private readonly refusedAt: Uint8Array;
  private next = 0;
  private filled = 0;
  private refusedCount = 0;

  constructor(readonly size: number) {
    this.refusedAt = new Uint8Array(size);
  }

  /** A finished batch: its refused memos, then the accepted ones (their order inside a batch is unknown). */
  add(accepted: number, refused: number): void {
    for (let i = 0; i < refused; i++) this.push(1);
    for (let i = 0; i < accepted; i++) this.push(0);
  }

  get memos(): number {
    return this.filled;
  }

  get refused(): number {
    return this.refusedCount;
  }

  private push(v: 0 | 1): void {
    if (this.filled === this.size) this.refusedCount -= this.refusedAt[this.next]!;
    else this.filled++;
    this.refusedAt[this.next] = v;
    this.refusedCount += v;
    this.next = (this.next + 1) % this.size;
  }
}

/**
 * Why the breaker trips, or null: a refusal with a code the operator named, or more than `maxRefusedRate` of the
 * window refused once it holds `minMemos`. `codes` are the refusal codes seen since the last judgement.
 */
export function breakerTrip(
  window: { memos: number; refused: number },
  codes: readonly string[],
  o: BreakerOptions,
): string | null {
  if (!o.enabled) return null;
  const named = codes.find((c) => o.tripOnCodes.includes(c));
  if (named !== undefined) return `Zuora refused a memo with code ${named} (one of breaker.tripOnCodes)`;
  if (window.memos < o.minMemos || window.refused / window.memos <= o.maxRefusedRate) return null;
  const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
  return (
    `${window.refused} of the last ${window.memos} memos were refused by Zuora ` +
    `(${pct(window.refused / window.memos)} > breaker.maxRefusedRate ${pct(o.maxRefusedRate)})`
  );
}
