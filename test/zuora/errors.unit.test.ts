// Which Zuora errors are worth trying again, from the documented facts (docs/zuora.md §6, §3), not from the code:
// an 8-digit REST code is a 6-digit resource code plus a 2-digit category; over a limit Zuora answers 429 with code
// 50000070 and Retry-After; HTTP 200 can carry `success: false`; a bulk update fails item by item (§3).
import { ZuoraApiError } from '../../src/zuora/errors';
import { parseRetryAfter } from '../../src/http/retry-after';

const error = (httpStatus: number, code: string) => new ZuoraApiError({ httpStatus, code, message: 'm' });

describe('the category of a code is its last two digits (§6)', () => {
  test.each([
    ['53100320', 20],
    ['50000040', 40],
    ['50000070', 70],
    ['12345611', 11],
  ])('%s has category %i', (code, category) => {
    expect(ZuoraApiError.categoryOf(code)).toBe(category);
    expect(error(400, code).category).toBe(category);
  });

  test("the older rate-limit body's 2-digit code 70 is the limit-exceeded category", () => {
    expect(ZuoraApiError.categoryOf(70)).toBe(70);
  });
});

// Reading: the categories that name a passing condition (lock contention, internal/temporary, a limit) can succeed
// later; the others are the caller's mistake or a rule of the tenant and would fail the same way again.
describe('retried: the request can succeed later', () => {
  test.each([
    ['limit exceeded (70)', 429, '50000070'],
    ['lock contention (50)', 400, '50000050'],
    ['internal (60)', 500, '50000060'],
    ['temporary (61)', 503, '50000061'],
  ])('%s', (_name, status, code) => {
    expect(error(status, code).retryable).toBe(true);
    expect(ZuoraApiError.isRetryableCode(code)).toBe(true);
  });

  test('a 429 is retried whatever its body says', () => {
    expect(error(429, 'HTTP_429').retryable).toBe(true);
  });

  test.each([500, 502, 503, 504])('a %i without a Zuora code is retried', (status) => {
    expect(error(status, `HTTP_${status}`).retryable).toBe(true);
  });
});

describe("not retried: the caller's mistake or a rule of the tenant", () => {
  test.each([
    ['permission (10)', 403, '50000010'],
    ['authentication (11), after the one token refresh', 401, '50000011'],
    ['invalid value (20)', 400, '53100320'],
    ['unknown field (21)', 400, '53100321'],
    ['missing field (22)', 400, '53100322'],
    ['invalid parameter (27)', 400, '53100327'],
    ['business rule (30)', 400, '53100330'],
    ['not found (40)', 404, '50000040'],
    ['unsupported method (45)', 405, '50000045'],
    ['malformed JSON (90)', 400, '50000090'],
  ])('%s', (_name, status, code) => {
    expect(error(status, code).retryable).toBe(false);
    expect(ZuoraApiError.isRetryableCode(code)).toBe(false);
  });

  test('HTTP 200 with success: false and a validation code', () => {
    expect(error(200, '53100320').retryable).toBe(false);
  });

  test('a 5xx carrying a validation code: the documented category is the more specific fact', () => {
    expect(error(500, '53100320').retryable).toBe(false);
  });

  test.each([400, 404, 422])('a %i without a Zuora code', (status) => {
    expect(error(status, `HTTP_${status}`).retryable).toBe(false);
  });

  test("the CRUD shape's INVALID_VALUE", () => {
    expect(error(400, 'INVALID_VALUE').retryable).toBe(false);
  });

  test('the failed item of the bulk update example (code 50000040)', () => {
    expect(ZuoraApiError.isRetryableCode(50000040)).toBe(false);
  });
});

describe('Retry-After: delta-seconds (§6: "e.g. 120") or an HTTP date (RFC 9110 §10.2.3)', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  test('seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 600 ', now)).toBe(600_000);
    expect(parseRetryAfter('0', now)).toBe(0);
  });

  test('an HTTP date: the time until then, never negative', () => {
    expect(parseRetryAfter('Mon, 30 Nov 2026 12:02:00 GMT', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 11:59:00 GMT', now)).toBe(0);
  });

  test('absent or unreadable: no wait is made up', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
