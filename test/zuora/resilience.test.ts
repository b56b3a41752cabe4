import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { RequestGate } from '../../src/http/request-gate';
import { ZuoraApiError, ZuoraClient, ZuoraResponseShapeError } from '../../src/zuora';
import { clientFor, rawCall, rawToken, rejectionOf, startEmulator } from './helpers';

describe('limits, faults and error bodies', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true } });
    client = clientFor(emulator);
    await client.query('select Id from Account'); // token fetched outside the fault windows below
  });
  afterEach(() => emulator.stop());

  it('a 429 with Retry-After pauses every request of the tenant through the shared gate', async () => {
    const gate = new RequestGate({ maxInFlight: 4 });
    const tenant = clientFor(emulator, { gate });
    await tenant.query('select Id from Account');
    emulator.admin.configure({ burst429: 1, retryAfterSeconds: 1 });

    const results = await Promise.all(Array.from({ length: 12 }, () => tenant.query('select Id from Account')));

    expect(results.every((r) => r.records.length === 5)).toBe(true);
    expect(emulator.admin.counters().limits.sent429).toBe(1);
    expect(tenant.stats()).toMatchObject({ throttled: 1, throttledMs: 1000, retries: 1 });
    expect(gate.stats().throttledMs).toBe(1000);
    expect(gate.stats().waits).toBeGreaterThan(0); // other callers were held by the pause, not just the throttled one
  });

  it('the concurrency limit answers the documented 429: code 50000070, Retry-After, Concurrency-Limit-* headers', async () => {
    const token = await rawToken(emulator);
    emulator.admin.configure({ burst429: 1, concurrencyLimit: 40, retryAfterSeconds: 120 });
    const res = await rawCall(emulator, 'GET', '/v1/credit-memos', { token });
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({ success: false, reasons: [{ code: '50000070' }] }); // FailedReason.code: a string in the spec
    expect(res.headers.get('retry-after')).toBe('120');
    expect(res.headers.get('concurrency-limit-type')).toBe('Default');
    expect(res.headers.get('concurrency-limit-limit')).toBe('40');
    expect(res.headers.get('concurrency-limit-remaining')).not.toBeNull();
    expect(res.headers.get('zuora-request-id')).toEqual(expect.any(String));
  });

  it('a gate budget equal to the tenant limit avoids 429s entirely', async () => {
    emulator.admin.configure({ concurrencyLimit: 3, latencyMs: 5 });
    const tenant = clientFor(emulator, { gate: new RequestGate({ maxInFlight: 3 }) });
    await Promise.all(Array.from({ length: 30 }, () => tenant.query('select Id from Account')));
    const limits = emulator.admin.counters().limits;
    expect(limits.sent429).toBe(0);
    expect(limits.maxConcurrentObserved).toBeLessThanOrEqual(3);
  });

  it('the per-minute rate limit sends RateLimit-* headers and 429 when exhausted', async () => {
    const token = await rawToken(emulator);
    emulator.admin.configure({ ratePerMinute: 2 });
    const query = { token, body: JSON.stringify({ queryString: 'select Id from Account' }) };
    const first = await rawCall(emulator, 'POST', '/v1/action/query', query);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(Number(first.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    await rawCall(emulator, 'POST', '/v1/action/query', query);
    const limited = await rawCall(emulator, 'POST', '/v1/action/query', query);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('429s are waited out without using up the retries meant for failures, within the throttle budget', async () => {
    const noRetries = clientFor(emulator, { maxRetries: 0 });
    await noRetries.query('select Id from Account'); // token first
    emulator.admin.resetCounters();
    emulator.admin.configure({ burst429: 2, retryAfterSeconds: 1 });
    await expect(noRetries.query('select Id from Account')).resolves.toBeDefined();
    expect(emulator.admin.counters().limits.burst429Sent).toBe(2);

    // Retry-After 1 s, budget 1.5 s: one wait fits, the second 429 goes to the caller with its Retry-After.
    const tight = clientFor(emulator, { maxThrottleWaitMs: 1_500 });
    await tight.query('select Id from Account');
    emulator.admin.resetCounters();
    emulator.admin.configure({ burst429: 10, retryAfterSeconds: 1 });
    const error = await rejectionOf(tight.query('select Id from Account'));
    expect(error).toMatchObject({ httpStatus: 429, code: '50000070', retryable: true, retryAfterMs: 1_000 });
    expect(emulator.admin.counters().limits.burst429Sent).toBe(2);
  });

  it('5xx answers are retried a bounded number of times, then thrown as retryable', async () => {
    const bounded = clientFor(emulator, { maxRetries: 2 });
    await bounded.query('select Id from Account');
    emulator.admin.resetCounters();
    emulator.admin.configure({ faults: { errorRate: 1 } });
    const error = await rejectionOf(bounded.query('select Id from Account'));
    expect(error).toBeInstanceOf(ZuoraApiError);
    expect([500, 503]).toContain((error as ZuoraApiError).httpStatus);
    expect((error as ZuoraApiError).retryable).toBe(true);
    expect(emulator.admin.counters().limits.injectedErrors).toBe(3); // 1 try + 2 retries
  });

  it('a transient 5xx is absorbed by the retry', async () => {
    emulator.admin.configure({ faults: { errorRate: 0.5 } });
    const pages = await Promise.all(
      Array.from({ length: 10 }, () => clientFor(emulator, { maxRetries: 20 }).query('select Id from Account')),
    );
    expect(pages).toHaveLength(10);
    expect(emulator.admin.counters().limits.injectedErrors).toBeGreaterThan(0);
  });

  it('dropped connections: reads are retried; a create is not repeated blindly but stays retryable', async () => {
    emulator.admin.configure({ faults: { dropRate: 1 } });
    const readError = await rejectionOf(client.query('select Id from Account'));
    expect(readError).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(emulator.admin.counters().limits.dropped).toBe(4);

    emulator.admin.resetCounters();
    const invoice = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 10);
    const createError = await rejectionOf(
      client.createInvoiceAdjustment({ InvoiceId: invoice?.Id, Amount: 1, Type: 'Credit', ReferenceId: 'drop-1' }),
    );
    expect(createError).toMatchObject({ code: 'NETWORK_ERROR', retryable: true, ambiguous: true });
    expect(emulator.admin.counters().limits.dropped).toBe(1);
  });

  it('a 5xx on a create is not repeated inside the client (it may have been processed)', async () => {
    emulator.admin.configure({ faults: { errorRate: 1 } });
    const invoice = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 10);
    const error = await rejectionOf(
      client.createInvoiceAdjustment({ InvoiceId: invoice?.Id, Amount: 1, Type: 'Credit', ReferenceId: '5xx-1' }),
    );
    expect(error).toMatchObject({ retryable: true, ambiguous: true });
    expect(emulator.admin.counters().limits.injectedErrors).toBe(1);
  });

  it('a body of an unexpected shape is a ZuoraResponseShapeError and is not retried', async () => {
    emulator.admin.configure({ faults: { malformedRate: 1 } });
    const error = await rejectionOf(client.query('select Id from Account'));
    expect(error).toBeInstanceOf(ZuoraResponseShapeError);
    expect((error as ZuoraResponseShapeError).retryable).toBe(false);
    expect(emulator.admin.counters().limits.malformed).toBe(1);
  });

  it('echoes Zuora-Track-Id; refuses one longer than 64 characters; the client keeps ids within 64', async () => {
    const echoed = await rawCall(emulator, 'GET', '/v1/credit-memos', {
      headers: { 'Zuora-Track-Id': 'wf-1/act-2/3' },
    });
    expect(echoed.headers.get('zuora-track-id')).toBe('wf-1/act-2/3');
    const tooLong = await rawCall(emulator, 'GET', '/v1/credit-memos', {
      headers: { 'Zuora-Track-Id': 'x'.repeat(65) },
    });
    expect(tooLong.status).toBe(400);
    const page = await client
      .withTrackId(`is-upgrade-${'t'.repeat(80)}/activity-9/attempt-1`)
      .query('select Id from Account');
    expect(page.records).toHaveLength(5);
  });
});

describe('malformed responses from a hand-written server', () => {
  let server: Server;
  let url: string;
  let body = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/oauth/token') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ access_token: 't', token_type: 'bearer', expires_in: 3599 }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json', 'Zuora-Request-Id': 'req-1' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['not JSON', '<html>gateway</html>'],
    ['a bulk answer without memos', '{"success":true}'],
    ['an item without a success flag', '{"success":true,"memos":[{"id":"x"}]}'],
  ])('%s → ZuoraResponseShapeError with the request id', async (_label, text) => {
    body = text;
    const client = new ZuoraClient({ baseUrl: url, clientId: 'a', clientSecret: 'b' });
    const error = await rejectionOf(client.bulkUpdateCreditMemos([{ id: 'x', transferredToAccounting: 'Yes' }]));
    expect(error).toBeInstanceOf(ZuoraResponseShapeError);
    expect((error as ZuoraResponseShapeError).details.requestId).toBe('req-1');
  });

  it('success:false without reasons is also a shape error, never silently a success', async () => {
    body = '{"success":false}';
    const client = new ZuoraClient({ baseUrl: url, clientId: 'a', clientSecret: 'b' });
    expect(await rejectionOf(client.getCreditMemo('CM1'))).toBeInstanceOf(ZuoraResponseShapeError);
  });
});
