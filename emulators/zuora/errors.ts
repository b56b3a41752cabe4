// Zuora's documented error bodies, and the codes the emulator answers with. Which body an operation answers is the
// published spec's (zuora-sdk models, docs/zuora.md §8; checked by test/zuora/contract.test.ts): REST
// `CommonResponse`, ZOQL/CRUD-action `FaultResponse`, Data Query `CommonErrorResponse`/`DataQueryErrorResponse`,
// and `ProxyUnauthorizedResponse` for every 401.
// REST codes are 8 digits: a 6-digit resource code + a 2-digit category (see docs/zuora.md §6). Zuora does not
// publish which resource code each endpoint uses, so the emulator uses resource `500000` throughout; only the
// category (last two digits) carries meaning for clients, and 50000070 is the documented limit code.
import { randomBytes } from 'node:crypto';
import type { EmulatorResponse } from '../common';

export const RestCode = {
  PERMISSION_DENIED: 50000010,
  AUTHENTICATION_FAILED: 50000011,
  INVALID_VALUE: 50000020,
  UNKNOWN_FIELD: 50000021,
  MISSING_REQUIRED_FIELD: 50000022,
  BUSINESS_RULE: 50000030,
  NOT_FOUND: 50000040,
  /** Also used (INFERRED) for "Invoice Settlement is not enabled" on credit memo endpoints. */
  UNSUPPORTED: 50000045,
  LOCK_CONTENTION: 50000050,
  INTERNAL_ERROR: 50000060,
  TEMPORARY_ERROR: 50000061,
  LIMIT_EXCEEDED: 50000070,
  MALFORMED_REQUEST: 50000090,
} as const;

export type CrudCode =
  | 'INVALID_VALUE'
  | 'INVALID_FIELD'
  | 'INVALID_TYPE'
  | 'MISSING_REQUIRED_VALUE'
  | 'MAX_RECORDS_EXCEEDED'
  | 'MALFORMED_QUERY'
  | 'INVALID_QUERY_LOCATOR'
  | 'LOCK_COMPETITION'
  | 'UNKNOWN_ERROR';

export const IS_NOT_ENABLED_MESSAGE =
  'Invoice Settlement is not enabled for this tenant: credit memos and debit memos are not available.';

export function processId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** `{ success: false, processId, reasons: [{ code, message }] }`; the spec types `code` as a string (FailedReason). */
export function restError(
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string | number>,
): EmulatorResponse {
  return {
    status,
    headers,
    json: { success: false, processId: processId(), reasons: [{ code: String(code), message }] },
  };
}

/** `ProxyUnauthorizedResponse`: what every operation answers with a 401. */
export function unauthorized(message = 'Authentication error'): EmulatorResponse {
  return { status: 401, json: { message } };
}

/** `FaultResponse`: the errors of the ZOQL `action/query`, `action/queryMore` and the CRUD `action/*` calls. */
export function faultError(status: number, code: CrudCode, message: string): EmulatorResponse {
  return { status, json: { FaultCode: code, FaultMessage: message } };
}

/** `CommonErrorResponse` / `DataQueryErrorResponse` (`code` an integer): Data Query and OAuth errors. */
export function commonError(status: number, code: number, message: string): EmulatorResponse {
  return { status, json: { code, message } };
}

/** `{ Success: false, Errors: [{ Code, Message }] }` */
export function crudError(status: number, code: CrudCode, message: string): EmulatorResponse {
  return { status, json: crudFailure(code, message) };
}

export function crudFailure(
  code: CrudCode,
  message: string,
): { Success: false; Errors: Array<{ Code: CrudCode; Message: string }> } {
  return { Success: false, Errors: [{ Code: code, Message: message }] };
}
