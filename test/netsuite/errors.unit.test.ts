// Which NetSuite errors are worth trying again, from the documented facts (docs/netsuite.md, "Errors and limits"),
// not from the code: over the concurrency limit REST answers 429 and Oracle says to retry with growing delays;
// overload can also show as a spurious 401 INVALID_LOGIN [3P]; a bad request (INVALID_CONTENT) or a reused
// idempotency key (IDEMPOTENCY_ERROR) will not heal.
import { isRetryableStatus, NetSuiteApiError } from '../../src/netsuite/errors';

test.each([
  ['over the concurrency limit', 429, undefined],
  ['a server error', 500, undefined],
  ['a gateway error', 502, undefined],
  ['unavailable', 503, undefined],
  ['no answer at all', 0, 'NETWORK_ERROR'],
  ['INVALID_LOGIN, which overload can cause (the client bounds how often)', 401, 'INVALID_LOGIN'],
])('retried: %s', (_name, status, code) => {
  expect(isRetryableStatus(status, code)).toBe(true);
  expect(new NetSuiteApiError({ httpStatus: status, errorCode: code }).retryable).toBe(true);
});

test.each([
  ['invalid content', 400, 'INVALID_CONTENT'],
  ['a reused idempotency key', 400, 'IDEMPOTENCY_ERROR'],
  ['not found', 404, undefined],
  ['forbidden', 403, undefined],
  ['a 401 without INVALID_LOGIN', 401, undefined],
])('not retried: %s', (_name, status, code) => {
  expect(isRetryableStatus(status, code)).toBe(false);
  expect(new NetSuiteApiError({ httpStatus: status, errorCode: code }).retryable).toBe(false);
});

test('an INVALID_LOGIN is known as such only on a 401', () => {
  expect(new NetSuiteApiError({ httpStatus: 401, errorCode: 'INVALID_LOGIN' }).isInvalidLogin).toBe(true);
  expect(new NetSuiteApiError({ httpStatus: 400, errorCode: 'INVALID_LOGIN' }).isInvalidLogin).toBe(false);
});
