import { RequestGate } from '../../src/http/request-gate';
import { NetSuiteApiError, NetSuiteResponseShapeError } from '../../src/netsuite/errors';
import { clientFor, useNetSuiteEmulator } from './fixture';

describe('NetSuite client: retries, limits and malformed responses', () => {
  const emulator = useNetSuiteEmulator({ seed: { demo: true }, faultSeed: 7 });
  let memoId = '';

  beforeAll(() => {
    memoId = String(emulator().admin.query(`SELECT MIN(id) AS id FROM "transaction" WHERE type = 'CustCred'`)[0]?.id);
  });
  afterEach(() => {
    emulator().admin.configure({
      burst429: 0,
      latencyMs: 0,
      faults: { errorRate: 0, dropRate: 0, malformedRate: 0 },
    });
    emulator().admin.injectInvalidLogins(0);
    emulator().admin.resetCounters();
  });

  it('waits out 429s without using up the retries meant for failures, within its throttle budget', async () => {
    // No retries for failures at all: the 429s are still waited out.
    const client = clientFor(emulator(), { maxRetries: 0 });
    emulator().admin.configure({ burst429: 3 });
    await expect(client.getCreditMemo(memoId)).resolves.toMatchObject({ id: memoId });
    expect(client.stats()).toMatchObject({ throttled: 3, retries: 3 });

    // Each throttled retry costs at least 1 s of the budget: 2.5 s allows two, the third 429 is thrown.
    const tight = clientFor(emulator(), { maxThrottleWaitMs: 2_500 });
    emulator().admin.resetCounters();
    emulator().admin.configure({ burst429: 10 });
    const error = await tight.getCreditMemo(memoId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetSuiteApiError);
    expect(error).toMatchObject({ httpStatus: 429, errorCode: 'CONCURRENCY_LIMIT_EXCEEDED', retryable: true });
    expect(emulator().admin.counters().limits.burst429Sent).toBe(3); // 1 attempt + 2 throttled retries
  });

  it('stays under the account concurrency limit when every call goes through one gate', async () => {
    emulator().admin.configure({ latencyMs: 20 });
    const ungated = clientFor(emulator(), { maxRetries: 20 });
    await Promise.all(Array.from({ length: 20 }, () => ungated.getInvoice(memoId).catch(() => undefined)));
    const rejectedWithoutGate = emulator().admin.counters().limits.concurrencyRejected;
    expect(rejectedWithoutGate).toBeGreaterThan(0);
    expect(ungated.stats().throttled).toBe(rejectedWithoutGate);

    emulator().admin.resetCounters();
    const gate = new RequestGate({ maxInFlight: 5 });
    const gated = clientFor(emulator(), { gate });
    const memos = await Promise.all(Array.from({ length: 20 }, () => gated.getCreditMemo(memoId)));
    expect(memos.every((m) => m.id === memoId)).toBe(true);
    expect(emulator().admin.counters().limits.concurrencyRejected).toBe(0);
    expect(emulator().admin.counters().maxConcurrent).toBeLessThanOrEqual(5);
  });

  it('retries injected 500/503s and dropped connections until the request succeeds', async () => {
    emulator().admin.configure({ faults: { errorRate: 0.3, dropRate: 0.2 } });
    const client = clientFor(emulator(), { maxRetries: 15 });
    const pages = await Promise.all(
      Array.from({ length: 20 }, () => client.suiteql(`SELECT id FROM transaction WHERE id = ${memoId}`, { limit: 1 })),
    );
    expect(pages.every((p) => p.items[0]?.id === memoId)).toBe(true);
    const limits = emulator().admin.counters().limits;
    expect(limits.injectedErrors + limits.dropped).toBeGreaterThan(0);
    expect(client.stats().serverErrors).toBe(limits.injectedErrors);
    expect(client.stats().networkErrors).toBe(limits.dropped);
  });

  it('retries 401 INVALID_LOGIN a bounded number of times, then fails for good', async () => {
    const client = clientFor(emulator(), { maxInvalidLoginRetries: 2 });
    emulator().admin.injectInvalidLogins(2);
    await expect(client.getCreditMemo(memoId)).resolves.toMatchObject({ id: memoId });
    expect(client.stats().invalidLogins).toBe(2);

    emulator().admin.injectInvalidLogins(100);
    const error = await client.getCreditMemo(memoId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetSuiteApiError);
    expect(error).toMatchObject({ httpStatus: 401, errorCode: 'INVALID_LOGIN', retryable: false });
    expect(emulator().admin.counters().authFailures.injected).toBe(2 + 3);
  });

  it('does not retry bad credentials forever either', async () => {
    const client = clientFor(emulator(), { tokenSecret: 'wrong', maxInvalidLoginRetries: 1 });
    await expect(client.getInvoice(memoId)).rejects.toMatchObject({ httpStatus: 401, retryable: false });
    expect(emulator().admin.counters().authFailures['bad-signature']).toBe(2);
  });

  it('turns malformed responses into a non-retryable NetSuiteResponseShapeError', async () => {
    emulator().admin.configure({ faults: { malformedRate: 1 } });
    const client = clientFor(emulator());
    const suiteqlError = await client.suiteql('SELECT id FROM transaction').catch((e: unknown) => e);
    expect(suiteqlError).toBeInstanceOf(NetSuiteResponseShapeError);
    expect(suiteqlError).toMatchObject({ retryable: false });
    await expect(client.getCreditMemo(memoId)).rejects.toBeInstanceOf(NetSuiteResponseShapeError);
    expect(client.stats().retries).toBe(0);
  });

  it('reports a row of the wrong shape in key paging as NetSuiteResponseShapeError', async () => {
    const { z } = await import('zod');
    const client = clientFor(emulator());
    const rows = client.suiteqlAll(`SELECT id, tranid FROM transaction WHERE id > :lastId ORDER BY id`, {
      rowSchema: z.object({ id: z.string(), tranid: z.number() }),
    });
    await expect(rows.next()).rejects.toBeInstanceOf(NetSuiteResponseShapeError);
  });
});

describe('NetSuite client: Retry-After pauses the shared gate', () => {
  const emulator = useNetSuiteEmulator({ retryAfterSeconds: 1 });

  it('pauses every request of the account for Retry-After', async () => {
    const gate = new RequestGate({ maxInFlight: 5 });
    const client = clientFor(emulator(), { gate });
    emulator().admin.configure({ burst429: 1 });
    await expect(client.getGovernanceLimits()).resolves.toMatchObject({ accountConcurrencyLimit: 5 });
    expect(gate.stats().throttledMs).toBeGreaterThan(0);
    expect(client.stats()).toMatchObject({ throttled: 1, retries: 1 });
  });
});
