export { RequestGate, type RequestGateOptions, type RequestGateStats } from './request-gate';
export { computeBackoff, sleep, type BackoffOptions } from './backoff';
