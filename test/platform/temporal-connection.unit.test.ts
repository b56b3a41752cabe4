// What @temporalio/envconfig leaves unchecked (issue 16, point 3): its booleans read anything but "1"/"true" as
// false, so a typo turned TLS off under an API key; a malformed address (perhaps a pasted key) must never be echoed.
import { resolveTemporalTarget, TemporalConfigError } from '../../src/temporal/connection';

const KEY = 'tmprl-api-key-canary-9f8e7d6c5b4a';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    resolveTemporalTarget(env);
  } catch (err) {
    expect(err).toBeInstanceOf(TemporalConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a TemporalConfigError');
}

test('TEMPORAL_TLS takes only true/false/1/0: "ture" is refused, not read as false', () => {
  expect(refusal({ TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: KEY, TEMPORAL_TLS: 'ture' })).toBe(
    'TEMPORAL_TLS: must be true or false (or 1 or 0)',
  );
  expect(refusal({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'yes' })).toMatch(
    /^TEMPORAL_TLS_DISABLE_HOST_VERIFICATION:/,
  );
});

test('an API key with TLS turned off is refused unless TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS=true', () => {
  const env = { TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: KEY, TEMPORAL_TLS: 'false' };
  const message = refusal(env);
  expect(message).toMatch(/^TEMPORAL_API_KEY: set while TLS is off.*TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS=true/);
  expect(message).not.toContain(KEY);
  const allowed = resolveTemporalTarget({ ...env, TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS: 'true' });
  expect(allowed.connectionOptions.tls).toBe(false);
  // Without TEMPORAL_TLS an API key turns TLS on (envconfig), which is accepted.
  const { TEMPORAL_TLS: _off, ...withKey } = env;
  expect(resolveTemporalTarget(withKey).connectionOptions.tls).toBe(true);
});

test('a malformed TEMPORAL_ADDRESS is refused without echoing it', () => {
  for (const address of [`https://user:${KEY}@ns.tmprl.cloud:7233`, KEY + ' ns:7233', `ns.tmprl.cloud:7233/${KEY}`]) {
    const message = refusal({ TEMPORAL_ADDRESS: address });
    expect(message).toMatch(/^TEMPORAL_ADDRESS .*must be host:port/);
    expect(message).not.toContain(KEY);
  }
  for (const ok of ['127.0.0.1:7233', 'temporal:7233', 'ns.a1b2c.tmprl.cloud:7233', '[::1]:7233', 'localhost'])
    expect(resolveTemporalTarget({ TEMPORAL_ADDRESS: ok }).address).toBe(ok);
});
