// What every activity shares: the tenant guard, the Zuora-Track-Id, and turning API errors into Temporal failures
// whose retry behaviour matches the error (a 429's Retry-After becomes the next retry delay).
import type { Info } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** A worker is configured for one tenant: refuse work for another rather than run it against the wrong books. */
export function assertTenant(configured: string, requested: string): void {
  if (configured !== requested) {
    throw ApplicationFailure.nonRetryable(
      `This worker serves tenant "${configured}", not "${requested}": start the workflow on that tenant's worker`,
      'WrongTenant',
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
