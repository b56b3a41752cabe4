export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Injected for deterministic tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * "Full jitter" exponential backoff (AWS architecture blog): a uniform delay in [0, min(max, base * 2^attempt)].
 * Full jitter spreads retries of many concurrent callers instead of having them retry in lock-step.
 * `attempt` is 0 for the first retry.
 */
export function computeBackoff(attempt: number, { baseMs, maxMs, random = Math.random }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt, 0), 30); // 2^30 already exceeds any sane cap; avoids Infinity
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`; rejects with the signal's reason as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new Error('Aborted');
}

/** What one throttled retry costs of a ThrottleBudget at least, so jittered near-zero waits cannot retry without end. */
export const MIN_THROTTLE_CHARGE_MS = 1_000;

/**
 * How long one request may wait out 429s before the 429 goes to its caller: throttling is the API working as
 * documented, not a failure, so it has its own budget instead of using up the retries meant for failures.
 */
export class ThrottleBudget {
  private spentMs = 0;
  /** Throttled retries taken so far (the backoff exponent when the API gives no Retry-After). */
  retries = 0;

  constructor(private readonly maxMs: number) {}

  /** The wait for the next throttled retry, charged to the budget; undefined when it no longer fits. */
  take(retryAfterMs: number | undefined, backoff: BackoffOptions): number | undefined {
    const waitMs = retryAfterMs ?? computeBackoff(this.retries, backoff);
    const charge = Math.max(waitMs, MIN_THROTTLE_CHARGE_MS);
    if (this.spentMs + charge > this.maxMs) return undefined;
    this.spentMs += charge;
    this.retries++;
    return waitMs;
  }
}
