// The gate of one lease holder (src/activities/tenant-lease.ts): at most `cap` of its requests in flight, where the
// cap is what the tenant budget workflow granted — 0 while nothing is granted. It stands in front of the process-wide
// RequestGate of the same tenant for the requests made inside `withLeaseGates` (an AsyncLocalStorage context), so the
// clients need not know about leases and two activities in one process each count their own requests.
import { AsyncLocalStorage } from 'node:async_hooks';

export class LeaseGate {
  private cap = 0;
  private executing = 0;
  private readonly waiters: Array<() => void> = [];
  private drains: Array<{ atMost: number; resolve: () => void }> = [];
  private peak = 0;

  /** A new cap, live: raised, waiting requests start; lowered, running ones finish and no new one starts. */
  setCap(cap: number): void {
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`cap must be a whole number ≥ 0, got ${cap}`);
    this.cap = cap;
    this.admit();
    this.settleDrains();
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.executing >= this.cap || this.waiters.length > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } else {
      this.executing++;
    }
    this.peak = Math.max(this.peak, this.executing);
    try {
      return await fn();
    } finally {
      this.executing--;
      this.admit();
      this.settleDrains();
    }
  }

  /** Resolves once at most `atMost` requests are in flight (the acknowledgement of a lowered cap waits for it). */
  inFlightAtMost(atMost: number): Promise<void> {
    if (this.executing <= atMost) return Promise.resolve();
    return new Promise((resolve) => this.drains.push({ atMost, resolve }));
  }

  stats() {
    return { cap: this.cap, inFlight: this.executing, queued: this.waiters.length, peak: this.peak };
  }

  private admit(): void {
    while (this.executing < this.cap && this.waiters.length > 0) {
      this.executing++;
      this.waiters.shift()!();
    }
  }

  private settleDrains(): void {
    const done = this.drains.filter((d) => this.executing <= d.atMost);
    this.drains = this.drains.filter((d) => this.executing > d.atMost);
    for (const d of done) d.resolve();
  }
}

/** The lease gates in force for the current async context, by the process-wide gate they stand in front of. */
const leaseGates = new AsyncLocalStorage<ReadonlyMap<object, LeaseGate>>();

/** Runs `work` with `gates` in front of their process-wide gates (nested contexts add to the outer one). */
export function withLeaseGates<T>(gates: ReadonlyMap<object, LeaseGate>, work: () => Promise<T>): Promise<T> {
  const outer = leaseGates.getStore();
  return leaseGates.run(outer ? new Map([...outer, ...gates]) : gates, work);
}

/** The lease gate in front of `processGate` in the current context, if any. */
export function leaseGateFor(processGate: object): LeaseGate | undefined {
  return leaseGates.getStore()?.get(processGate);
}
