import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { OAuth1Signer } from '../../src/netsuite/oauth1';
import { useNetSuiteEmulator } from './fixture';

describe('NetSuite emulator: token-based authentication', () => {
  const emulator = useNetSuiteEmulator({ seed: { demo: true } });

  /** Signs with the independent oauth-1.0a library, never with our signer. */
  function independentlySigned(method: string, url: string): string {
    const { credentials } = emulator();
    const oauth = new OAuth({
      consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
      signature_method: 'HMAC-SHA256',
      realm: credentials.accountId,
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    });
    const data = oauth.authorize({ url, method }, { key: credentials.tokenId, secret: credentials.tokenSecret });
    return oauth.toHeader(data).Authorization;
  }

  function demoCreditMemoUrl(query = ''): string {
    const id = emulator().admin.query(`SELECT MIN(id) AS id FROM "transaction" WHERE type = 'CustCred'`)[0]?.id;
    return `${emulator().url}/services/rest/record/v1/creditMemo/${String(id)}${query}`;
  }

  async function expectInvalidLogin(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    const body = (await response.json()) as { status: number; 'o:errorDetails': { 'o:errorCode': string }[] };
    expect(body.status).toBe(401);
    expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('INVALID_LOGIN');
  }

  it('accepts a request signed by oauth-1.0a and rejects the same request with one byte changed', async () => {
    const url = demoCreditMemoUrl('?expandSubResources=true');
    const authorization = independentlySigned('GET', url);
    const ok = await fetch(url, { headers: { Authorization: authorization } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }).id).toMatch(/^\d+$/);

    // Same header (new nonce so the nonce check is not what fails), one byte of the signed URL changed.
    const fresh = independentlySigned('GET', url);
    const tampered = url.replace('expandSubResources=true', 'expandSubResources=truf');
    await expectInvalidLogin(await fetch(tampered, { headers: { Authorization: fresh } }));

    const freshAgain = independentlySigned('GET', url);
    const flipped = freshAgain.replace(/oauth_signature="([^"]+)"/, (_m, sig: string) => {
      const chars = sig.split('');
      chars[0] = chars[0] === 'A' ? 'B' : 'A';
      return `oauth_signature="${chars.join('')}"`;
    });
    await expectInvalidLogin(await fetch(url, { headers: { Authorization: flipped } }));
    expect(emulator().admin.counters().authFailures['bad-signature']).toBe(2);
  });

  it('rejects a reused nonce', async () => {
    const url = demoCreditMemoUrl();
    const authorization = independentlySigned('GET', url);
    expect((await fetch(url, { headers: { Authorization: authorization } })).status).toBe(200);
    await expectInvalidLogin(await fetch(url, { headers: { Authorization: authorization } }));
    expect(emulator().admin.counters().authFailures['reused-nonce']).toBe(1);
  });

  it('rejects a stale timestamp (beyond the configured skew)', async () => {
    const { credentials } = emulator();
    const url = demoCreditMemoUrl();
    const stale = new OAuth1Signer(credentials, { now: () => Date.now() - 6 * 60_000 }).authorizationHeader({
      method: 'GET',
      url,
    });
    await expectInvalidLogin(await fetch(url, { headers: { Authorization: stale } }));

    emulator().admin.setMaxSkewMs(10 * 60_000);
    const accepted = new OAuth1Signer(credentials, { now: () => Date.now() - 6 * 60_000 }).authorizationHeader({
      method: 'GET',
      url,
    });
    expect((await fetch(url, { headers: { Authorization: accepted } })).status).toBe(200);
    emulator().admin.setMaxSkewMs(5 * 60_000);
    expect(emulator().admin.counters().authFailures['stale-timestamp']).toBe(1);
  });

  it('rejects unknown consumers and tokens, and a missing header', async () => {
    const { credentials } = emulator();
    const url = demoCreditMemoUrl();
    const wrongToken = new OAuth1Signer({ ...credentials, tokenId: 'nope' }).authorizationHeader({
      method: 'GET',
      url,
    });
    await expectInvalidLogin(await fetch(url, { headers: { Authorization: wrongToken } }));
    const wrongConsumer = new OAuth1Signer({ ...credentials, consumerKey: 'nope' }).authorizationHeader({
      method: 'GET',
      url,
    });
    await expectInvalidLogin(await fetch(url, { headers: { Authorization: wrongConsumer } }));
    await expectInvalidLogin(await fetch(url));
    const failures = emulator().admin.counters().authFailures;
    expect([failures['unknown-token'], failures['unknown-consumer'], failures['missing-header']]).toEqual([1, 1, 1]);
  });
});
