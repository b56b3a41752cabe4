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
