import { startZuoraEmulator, type RunningZuoraEmulator } from '../../emulators/zuora';
import { ZuoraApiError } from '../../src/zuora';
import { clientFor, rejectionOf, startEmulator } from './helpers';

describe('Zuora OAuth token handling', () => {
  let emulator: RunningZuoraEmulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true } });
  });
  afterEach(() => emulator.stop());

  it('takes only Zuora-shaped OAuth clients: a 36-character id (its demo one too), a secret of at most 42', async () => {
    await expect(startZuoraEmulator({ clientId: 'demo-client-id' })).rejects.toThrow(/36 characters/);
    await expect(startZuoraEmulator({ clientSecret: 's'.repeat(43) })).rejects.toThrow(/at most 42/);
    expect(emulator.admin.config().clientId).toHaveLength(36);
    const demo = await startZuoraEmulator({});
    try {
      expect(demo.admin.config().clientId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    } finally {
      await demo.stop();
    }
  });

  it('fetches one token for many concurrent requests', async () => {
    const client = clientFor(emulator);
    const pages = await Promise.all(Array.from({ length: 25 }, () => client.query('select Id from Account')));
    expect(pages.every((p) => p.records.length === 5)).toBe(true);
    expect(emulator.admin.counters().tokensIssued).toBe(1);
    expect(client.stats().tokenFetches).toBe(1);
  });

  it('track-id views share the token cache and counters', async () => {
    const client = clientFor(emulator);
    await client.withTrackId('wf-1/act-1/1').query('select Id from Account');
    await client.withTrackId('wf-1/act-2/1').query('select Id from Account');
    expect(emulator.admin.counters().tokensIssued).toBe(1);
    expect(client.stats().requests).toBe(2);
  });

  it('refreshes ahead of expiry, using the token lifetime', async () => {
    let now = Date.now();
    const client = clientFor(emulator, { now: () => now, tokenRefreshSkewMs: 60_000 });
    await client.query('select Id from Account');
    now += 3_599_000 - 61_000; // still more than the skew before expiry
    await client.query('select Id from Account');
    expect(emulator.admin.counters().tokensIssued).toBe(1);
    now += 2_000; // inside the refresh window
    await client.query('select Id from Account');
    expect(emulator.admin.counters().tokensIssued).toBe(2);
    expect(emulator.admin.counters().unauthorized401).toBe(0); // refreshed before Zuora had to refuse it
  });

  it('on a 401 fetches a new token once and retries the request', async () => {
    const client = clientFor(emulator);
    await client.query('select Id from Account');
    emulator.admin.expireTokens();
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => client.query('select Id from Account')));
    expect(concurrent).toHaveLength(5);
    const counters = emulator.admin.counters();
    expect(counters.unauthorized401).toBe(5);
    expect(counters.tokensIssued).toBe(2); // the five 401s shared one refresh
    expect(client.stats().tokenRefreshesAfter401).toBe(5);
  });

  it('expired tokens (short TTL) are refused by the emulator and renewed by the client', async () => {
    let now = Date.now();
    await emulator.stop();
    emulator = await startEmulator({ seed: { demo: true }, tokenTtlSeconds: 2, now: () => now });
    // The client's clock stands still: it believes the token valid, the server says it expired.
    const clientClock = now;
    const client = clientFor(emulator, { now: () => clientClock });
    await client.query('select Id from Account');
    now += 2_500;
    await client.query('select Id from Account');
    expect(emulator.admin.counters()).toMatchObject({ tokensIssued: 2, unauthorized401: 1 });
  });

  it('a 401 that persists after the refresh is a non-retryable auth error', async () => {
    emulator.admin.configure({ tokenTtlSeconds: 0 }); // every token is expired on arrival
    const client = clientFor(emulator);
    const error = await rejectionOf(client.query('select Id from Account'));
    expect(error).toBeInstanceOf(ZuoraApiError);
    // The spec's ProxyUnauthorizedResponse carries only a message: no code to read, so the status names it.
    expect(error).toMatchObject({ httpStatus: 401, category: 11, retryable: false, code: 'HTTP_401' });
    expect((error as Error).message).toMatch(/Authentication error/);
    expect(emulator.admin.counters().unauthorized401).toBe(2); // first try + one retry after the refresh
  });

  it('wrong client credentials fail fast and are not retried', async () => {
    const client = clientFor(emulator, { clientSecret: 'wrong' });
    const error = await rejectionOf(client.query('select Id from Account'));
    expect(error).toMatchObject({ httpStatus: 401, code: 'HTTP_401', retryable: false });
    expect((error as Error).message).toMatch(/Invalid client id or secret/);
    expect(emulator.admin.counters().tokenRejections).toBe(1);
  });
});
