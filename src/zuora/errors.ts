// Typed Zuora errors. The 8-digit REST code is a 6-digit resource code plus a 2-digit category; the category
// decides whether trying again can help. CRUD endpoints answer string codes, mapped to the same categories.
import { FailureType } from '../shared/failures';

export interface ZuoraErrorReason {
  code: string;
  message: string;
}

export interface ZuoraApiErrorInit {
  httpStatus: number;
  code: string;
  message: string;
  category?: number;
  requestId?: string;
  processId?: string;
  reasons?: ZuoraErrorReason[];
  retryAfterMs?: number;
  /** Overrides the status/category rule (e.g. auth that still fails after a token refresh). */
  retryable?: boolean;
  /** The request may or may not have been processed (connection lost, 5xx): unsafe to repeat a non-idempotent call. */
  ambiguous?: boolean;
  method?: string;
  path?: string;
  trackId?: string;
}

/** Categories where trying again later can succeed: lock contention, internal/temporary, limit exceeded. */
const RETRYABLE_CATEGORIES = new Set([50, 60, 61, 70]);

/**
 * CRUD string codes → REST categories (Zuora's CRUD "ErrorCode" list). The ZOQL FaultResponse's FaultCode uses the
 * same names (INVALID_FIELD, MALFORMED_QUERY, INVALID_VALUE, … are the caller's mistake: never retried). Unknown
 * codes get no category, and then the HTTP status decides.
 */
const CRUD_CODE_CATEGORIES: Record<string, number> = {
  API_DISABLED: 10,
  INVALID_LOGIN: 11,
  INVALID_SESSION: 11,
  INVALID_VALUE: 20,
  INVALID_TYPE: 20,
  MAX_RECORDS_EXCEEDED: 20,
  INVALID_FIELD: 21,
  MISSING_REQUIRED_VALUE: 22,
  DUPLICATE_VALUE: 30,
  TRANSACTION_FAILED: 30,
  CANNOT_DELETE: 30,
  INVALID_ID: 40,
  INVALID_QUERY_LOCATOR: 40,
  INVALID_VERSION: 45,
  LOCK_COMPETITION: 50,
  UNKNOWN_ERROR: 60,
  SERVER_UNAVAILABLE: 61,
  TRANSACTION_TERMINATED: 61,
  TEMPORARY_ERROR: 61,
  REQUEST_EXCEEDED_LIMIT: 70,
  REQUEST_EXCEEDED_RATE: 70,
  MALFORMED_QUERY: 90,
};

export class ZuoraApiError extends Error {
  override readonly name = FailureType.ZuoraApiError;
  readonly httpStatus: number;
  /** 8-digit REST code as a string (`"50000070"`), a legacy short code (`"70"`) or a CRUD code (`"INVALID_VALUE"`). */
  readonly code: string;
  readonly category: number | undefined;
  readonly requestId: string | undefined;
  readonly processId: string | undefined;
  readonly reasons: ZuoraErrorReason[];
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly ambiguous: boolean;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly trackId: string | undefined;

  constructor(init: ZuoraApiErrorInit) {
    const where = init.method && init.path ? ` (${init.method} ${init.path})` : '';
    super(`Zuora ${init.httpStatus || 'request'} ${init.code}: ${init.message}${where}`);
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.category = init.category ?? ZuoraApiError.categoryOf(init.code) ?? categoryFromStatus(init.httpStatus);
    this.requestId = init.requestId;
    this.processId = init.processId;
    this.reasons = init.reasons ?? [{ code: init.code, message: init.message }];
    this.retryAfterMs = init.retryAfterMs;
    this.ambiguous = init.ambiguous ?? false;
    this.method = init.method;
    this.path = init.path;
    this.trackId = init.trackId;
    this.retryable = init.retryable ?? isRetryable(init.httpStatus, this.category);
  }

  /** Category of a Zuora code: last 2 digits of an 8-digit code, a legacy 2-digit code, or a mapped CRUD code. */
  static categoryOf(code: string | number): number | undefined {
    const text = String(code);
    if (/^\d{8}$/.test(text)) return Number(text.slice(-2));
    if (/^\d{2}$/.test(text)) return Number(text);
    return CRUD_CODE_CATEGORIES[text];
  }

  /** Whether an error code (e.g. of one failed item of a bulk update) is worth retrying. */
  static isRetryableCode(code: string | number): boolean {
    const category = ZuoraApiError.categoryOf(code);
    return category !== undefined && RETRYABLE_CATEGORIES.has(category);
  }

  /** Plain data, for logs and Temporal failure details. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      httpStatus: this.httpStatus,
      code: this.code,
      category: this.category,
      requestId: this.requestId,
      processId: this.processId,
      reasons: this.reasons,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      trackId: this.trackId,
    };
  }
}

/** A response that does not have the documented shape: a contract problem, never fixed by retrying. */
export class ZuoraResponseShapeError extends Error {
  override readonly name = FailureType.ZuoraResponseShapeError;
  readonly retryable = false;

  constructor(
    message: string,
    readonly details: { httpStatus?: number; requestId?: string; method?: string; path?: string; issues?: unknown },
  ) {
    super(message);
  }
}

function categoryFromStatus(status: number): number | undefined {
  if (status === 401) return 11;
  if (status === 403) return 10;
  if (status === 404) return 40;
  if (status === 429) return 70;
  if (status >= 500) return 60;
  return undefined;
}

function isRetryable(httpStatus: number, category: number | undefined): boolean {
  if (httpStatus === 429) return true;
  // A documented category is more specific than the status (a 500 carrying a validation code will not heal).
  if (category !== undefined) return RETRYABLE_CATEGORIES.has(category);
  return httpStatus === 0 || httpStatus === 408 || httpStatus === 409 || httpStatus >= 500;
}
