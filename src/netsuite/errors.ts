/** One typed error for every NetSuite REST failure, so activities can decide retry vs. fail from one place. */
import { FailureType } from '../shared/failures';

export class NetSuiteApiError extends Error {
  override readonly name = FailureType.NetSuiteApiError;
  readonly httpStatus: number;
  /** `o:errorCode` of the first error detail, e.g. `INVALID_LOGIN`, `INVALID_CONTENT`; `NETWORK_ERROR` for no answer. */
  readonly errorCode: string | undefined;
  readonly detail: string | undefined;
  readonly errorPath: string | undefined;
  /** Mutable on purpose: the client downgrades a repeated 401 INVALID_LOGIN to non-retryable. */
  retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    httpStatus: number;
    errorCode?: string | undefined;
    detail?: string | undefined;
    errorPath?: string | undefined;
    retryable?: boolean;
    retryAfterMs?: number | undefined;
    message?: string;
  }) {
    super(
      init.message ??
        `NetSuite HTTP ${init.httpStatus}${init.errorCode ? ` ${init.errorCode}` : ''}${init.detail ? `: ${init.detail}` : ''}`,
    );
    this.httpStatus = init.httpStatus;
    this.errorCode = init.errorCode;
    this.detail = init.detail;
    this.errorPath = init.errorPath;
    this.retryable = init.retryable ?? isRetryableStatus(init.httpStatus, init.errorCode);
    this.retryAfterMs = init.retryAfterMs;
  }

  get isInvalidLogin(): boolean {
    return this.httpStatus === 401 && this.errorCode === 'INVALID_LOGIN';
  }
}

/**
 * 429 and 5xx are transient. 401 INVALID_LOGIN is reported retryable here because NetSuite can answer it under
 * overload; the client bounds how often it is retried and then marks it non-retryable. Other 4xx are permanent.
 */
export function isRetryableStatus(httpStatus: number, errorCode?: string): boolean {
  if (httpStatus === 429 || httpStatus >= 500 || httpStatus === 0) return true;
  return httpStatus === 401 && errorCode === 'INVALID_LOGIN';
}

export interface ShapeIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** The response parsed but did not have the documented shape: retrying will not change it. */
export class NetSuiteResponseShapeError extends Error {
  override readonly name = FailureType.NetSuiteResponseShapeError;
  readonly retryable = false;

  constructor(
    readonly what: string,
    readonly issues: readonly ShapeIssue[],
    readonly body: unknown,
  ) {
    super(
      `NetSuite ${what}: unexpected response shape: ${issues
        .slice(0, 5)
        .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
}

/** The caller's key-based query broke the paging contract (rows not ordered by a strictly increasing key). */
export class NetSuitePagingError extends Error {
  override readonly name = FailureType.NetSuitePagingError;
  readonly retryable = false;
}
