import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import {
  OAuth1Signer,
  parseOAuthHeader,
  percentEncode,
  signatureBaseString,
  signingKey,
  type TbaCredentials,
} from '../../src/netsuite/oauth1';

const credentials: TbaCredentials = {
  accountId: '1234567_SB1',
  consumerKey: 'ck-ABC123',
  consumerSecret: 'cs secret/with+specials&=',
  tokenId: 'tk-XYZ789',
  tokenSecret: "ts*secret!'()~",
};

/** The independent implementation: oauth-1.0a with a node:crypto HMAC-SHA256. */
function referenceOAuth(realm: string): OAuth {
  return new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA256',
    realm,
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
}

describe('OAuth 1.0a signer (NetSuite TBA, HMAC-SHA256)', () => {
  const fixedClock = { now: () => 1_735_689_600_000, nonce: () => 'n0nceABCdef123' };

  it.each([
    ['POST', 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=0'],
    [
      'GET',
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/creditMemo/42?expandSubResources=true',
    ],
    ['PATCH', 'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customerPayment/7'],
    ['GET', 'https://example.test/services/rest/record/v1/invoice/eid:A%20B?q=a%20b&r=%2A&z=%E2%82%AC'],
  ])('%s %s: same signature as oauth-1.0a', (method, url) => {
    const header = new OAuth1Signer(credentials, fixedClock).authorizationHeader({ method, url });
    const ours = parseOAuthHeader(header);

    const oauth = referenceOAuth(credentials.accountId);
    const theirs = oauth.authorize({ url, method }, { key: credentials.tokenId, secret: credentials.tokenSecret });
    // oauth-1.0a draws its own nonce/timestamp; recompute its signature with ours to compare like for like.
    const { oauth_signature: _theirSignature, ...theirParams } = theirs;
    const data = {
      ...theirParams,
      oauth_nonce: ours?.get('oauth_nonce') ?? '',
      oauth_timestamp: Number(ours?.get('oauth_timestamp')),
    };
    const expected = oauth.getSignature({ url, method }, credentials.tokenSecret, data);

    expect(ours?.get('oauth_signature')).toBe(expected);
    expect(ours?.get('realm')).toBe('1234567_SB1');
    expect(ours?.get('oauth_signature_method')).toBe('HMAC-SHA256');
    expect(ours?.get('oauth_timestamp')).toBe('1735689600');
  });

  it('signs form bodies but not JSON bodies', () => {
    const url = 'https://example.test/services/rest/auth/x';
    const signer = new OAuth1Signer(credentials, fixedClock);
    const json = parseOAuthHeader(signer.authorizationHeader({ method: 'POST', url }));
    const form = parseOAuthHeader(signer.authorizationHeader({ method: 'POST', url, formBody: 'grant_type=a b&x=1' }));
    expect(form?.get('oauth_signature')).not.toBe(json?.get('oauth_signature'));

    const oauth = referenceOAuth(credentials.accountId);
    const expected = oauth.getSignature(
      { url, method: 'POST', data: { grant_type: 'a b', x: '1' } },
      credentials.tokenSecret,
      {
        oauth_consumer_key: credentials.consumerKey,
        oauth_token: credentials.tokenId,
        oauth_nonce: fixedClock.nonce(),
        oauth_signature_method: 'HMAC-SHA256',
        oauth_timestamp: 1_735_689_600,
        oauth_version: '1.0',
      },
    );
    expect(form?.get('oauth_signature')).toBe(expected);
  });

  it('lower-cases scheme and host, drops the default port, keeps the path', () => {
    const params = [['a', '1']] as const;
    expect(signatureBaseString('get', 'HTTPS://Example.TEST:443/Path/X?a=1', params)).toBe(
      'GET&https%3A%2F%2Fexample.test%2FPath%2FX&a%3D1',
    );
    expect(signatureBaseString('GET', 'http://127.0.0.1:4020/p', [])).toBe('GET&http%3A%2F%2F127.0.0.1%3A4020%2Fp&');
  });

  it('encodes per RFC 3986: unreserved kept, upper-case hex, space as %20', () => {
    expect(percentEncode("a-b_c.d~e f*g'h(i)j!k+l/m")).toBe('a-b_c.d~e%20f%2Ag%27h%28i%29j%21k%2Bl%2Fm');
    expect(percentEncode('€')).toBe('%E2%82%AC');
  });

  it('sorts by name then value', () => {
    const base = signatureBaseString('GET', 'https://x.test/', [
      ['b', '2'],
      ['a', 'z'],
      ['a', 'a'],
    ]);
    expect(decodeURIComponent(base.split('&')[2] ?? '')).toBe('a=a&a=z&b=2');
  });

  /*
   * Published vector: Twitter's "Creating a signature" walkthrough (HMAC-SHA1, RFC 5849 base string). NetSuite
   * needs SHA-256, but the base string and key rules are the same, so hashing OUR base string with SHA-1 must give
   * the published signature.
   */
  it('reproduces the published Twitter example base string and signature', () => {
    const url = 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true';
    const params: [string, string][] = [
      ['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
      ['include_entities', 'true'],
      ['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
      ['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '1318622958'],
      ['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
      ['oauth_version', '1.0'],
    ];
    const base = signatureBaseString('POST', url.split('?')[0] ?? url, params);
    expect(base).toBe(
      'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521',
    );
    const key = signingKey('kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw', 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE');
    expect(createHmac('sha1', key).update(base).digest('base64')).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('parses only well-formed OAuth headers', () => {
    expect(parseOAuthHeader('OAuth realm="1", oauth_nonce="a%20b"')?.get('oauth_nonce')).toBe('a b');
    expect(parseOAuthHeader('Bearer abc')).toBeUndefined();
    expect(parseOAuthHeader('OAuth realm="1", junk')).toBeUndefined();
  });
});
