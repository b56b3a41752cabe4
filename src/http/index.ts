export { RequestGate, type RequestGateOptions, type RequestGateStats } from './request-gate';
export { computeBackoff, sleep, ThrottleBudget, type BackoffOptions } from './backoff';
export { parseRetryAfter } from './retry-after';
