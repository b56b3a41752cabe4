import { sleep } from './backoff';
import { leaseGateFor } from './lease-gate';

export interface RequestGateOptions {
  /** Concurrency budget: at most this many `run` callbacks execute at once. */
  maxInFlight: number;
  /** Injected clock for tests; defaults to Date.now. */
  now?: () => number;
}

export interface RequestGateStats {
  /** Callbacks executing right now. */
  inFlight: number;
  /** Highest `inFlight` seen since construction. */
  maxObservedInFlight: number;
  /** Times a caller had to wait (for a free slot or for a pause to end). */
  waits: number;
  /** Total milliseconds added to the pause window by `pauseFor` (overlapping pauses count once). */
  throttledMs: number;
  /** Callers waiting for a slot right now. */
  queued: number;
}

/**
 * One gate per remote tenant/account: a FIFO semaphore that bounds concurrent requests, plus a shared
 * "blocked until" time. A server's Retry-After means the *tenant* is over its limit, so `pauseFor` holds
 * every new request through this gate, not just the one that was throttled.
 */
export class RequestGate {
  private maxInFlight: number;
  private readonly now: () => number;
  private readonly waiters: Array<() => void> = [];
  private slotsTaken = 0;
  private executing = 0;
  private blockedUntil = 0;
  private readonly counters = { maxObservedInFlight: 0, waits: 0, throttledMs: 0 };

  constructor({ maxInFlight, now = Date.now }: RequestGateOptions) {
    checkMaxInFlight(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.now = now;
  }

  /**
   * A new budget, live (the migration's setConcurrency): raised, waiting callers start at once; lowered, callers
   * already running finish and no new one starts until fewer than the new budget run.
   */
  setMaxInFlight(maxInFlight: number): void {
    checkMaxInFlight(maxInFlight);
    this.maxInFlight = maxInFlight;
    this.admitWaiters();
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Inside an activity that holds a lease of the tenant budget, its own gate comes first (issue 15 §2).
    const lease = leaseGateFor(this);
    if (lease) return lease.run(() => this.runHere(fn));
    return this.runHere(fn);
  }

  private async runHere<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquireSlot();
    try {
      await this.waitWhilePaused();
      this.executing++;
      this.counters.maxObservedInFlight = Math.max(this.counters.maxObservedInFlight, this.executing);
      try {
        return await fn();
      } finally {
        this.executing--;
      }
    } finally {
      this.releaseSlot();
    }
  }

  /** Holds every request that has not started yet until `ms` from now (extends, never shortens, a pause). */
  pauseFor(ms: number): void {
    if (!(ms > 0)) return;
    const now = this.now();
    const until = now + ms;
    if (until <= this.blockedUntil) return;
    this.counters.throttledMs += until - Math.max(now, this.blockedUntil);
    this.blockedUntil = until;
  }

  stats(): RequestGateStats {
    return { inFlight: this.executing, queued: this.waiters.length, ...this.counters };
  }

  private acquireSlot(): Promise<void> {
    if (this.slotsTaken < this.maxInFlight) {
      this.slotsTaken++;
      return Promise.resolve();
    }
    this.counters.waits++;
    // The releasing caller hands its slot straight to us, so newcomers cannot overtake the queue.
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private releaseSlot(): void {
    this.slotsTaken--;
    this.admitWaiters();
  }

  /** Hands free slots to waiters in order, synchronously, so newcomers cannot overtake the queue. */
  private admitWaiters(): void {
    while (this.slotsTaken < this.maxInFlight && this.waiters.length > 0) {
      this.slotsTaken++;
      this.waiters.shift()!();
    }
  }

  private async waitWhilePaused(): Promise<void> {
    let counted = false;
    for (let remaining = this.blockedUntil - this.now(); remaining > 0; remaining = this.blockedUntil - this.now()) {
      if (!counted) this.counters.waits++;
      counted = true;
      await sleep(remaining);
    }
  }
}

function checkMaxInFlight(maxInFlight: number): void {
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }
}
