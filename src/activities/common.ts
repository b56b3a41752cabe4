// What every activity shares: the tenant guard, the Zuora-Track-Id, and turning API errors into Temporal failures
// whose retry behaviour matches the error (a 429's Retry-After becomes the next retry delay).
import { activityInfo, heartbeat, type Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../shared/failures';

/**
 * An activity set is built over one tenant's clients: refuse another tenant's input rather than run it against the
 * wrong books. The worker routes each call to the set of the tenant its input names (./tenant-routing.ts), so this
 * fails only on a routing slip in our code, never because of where the task landed.
 */
export function assertTenant(configured: string, requested: string): void {
  if (configured !== requested) {
    throw ApplicationFailure.nonRetryable(
      `These activities were built for tenant "${configured}", not "${requested}" (a tenant routing slip)`,
      FailureType.WrongTenant,
    );
  }
}

export function workflowIdOf(info: Pick<Info, 'workflowExecution'>): string {
  return info.workflowExecution?.workflowId ?? 'standalone-activity';
}

/** Zuora-Track-Id (≤ 64 chars) that ties a request to the workflow and activity that made it. */
export function trackIdOf(info: Pick<Info, 'workflowExecution' | 'activityId' | 'attempt'>): string {
  const id = `${workflowIdOf(info)}/${info.activityId}/${info.attempt}`;
  return id.length <= 64 ? id : id.slice(id.length - 64);
}

type ApiErrorLike = Error & { retryable?: boolean; retryAfterMs?: number };

export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && typeof (err as ApiErrorLike).retryable === 'boolean') {
    const e = err as ApiErrorLike;
    return ApplicationFailure.create({
      message: e.message,
      type: e.name,
      nonRetryable: !e.retryable,
      nextRetryDelay: e.retryable && e.retryAfterMs ? e.retryAfterMs : undefined,
      cause: e,
    });
  }
  return err;
}

/**
 * Runs `work`; what it throws leaves as toActivityFailure makes it (API errors become failures whose retry matches
 * them). `onFailure` sees the original error first (e.g. to log where a retry resumes).
 */
export async function withActivityFailures<T>(work: () => Promise<T>, onFailure?: (err: unknown) => void): Promise<T> {
  try {
    return await work();
  } catch (err) {
    onFailure?.(err);
    throw toActivityFailure(err);
  }
}

/**
 * Activities heartbeat at least this often while they run (more often when the heartbeat timeout is short), so a
 * worker killed mid-call is noticed after the workflow's heartbeat timeout instead of the whole start-to-close
 * timeout, and a long wait inside an activity (a Data Query being polled, a 429 pause) is never mistaken for one.
 */
export const KEEPALIVE_EVERY_MS = 5_000;

/**
 * Runs `work` while heartbeating every KEEPALIVE_EVERY_MS or a third of the heartbeat timeout, whichever is
 * shorter. `details` gives what each beat carries (the activity's latest checkpoint); without it, beats carry none.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, details?: () => unknown): Promise<T> {
  const timeoutMs = activityInfo().heartbeatTimeoutMs;
  const every = Math.max(100, Math.min(KEEPALIVE_EVERY_MS, timeoutMs ? timeoutMs / 3 : KEEPALIVE_EVERY_MS));
  const ticker = setInterval(() => (details ? heartbeat(details()) : heartbeat()), every);
  try {
    return await work();
  } finally {
    clearInterval(ticker);
  }
}

/** Every activity of `activities` run under whileHeartbeating. */
export function heartbeatingAll<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [name, (...args: never[]) => whileHeartbeating(() => fn(...args))]),
  ) as T;
}
