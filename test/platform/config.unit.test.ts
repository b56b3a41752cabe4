import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CONFIG_ENV_VARS, ConfigError, loadConfig, redactUrl, Secret } from '../../src/config';

const realZuora = {
  TENANT_ID: 'acme',
  ZUORA_BASE_URL: 'https://rest.zuora.com/',
  ZUORA_CLIENT_ID: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9',
  ZUORA_CLIENT_SECRET: 'zuora-very-secret',
};
const realNetSuite = {
  NETSUITE_ACCOUNT_ID: '1234567_SB1',
  NETSUITE_REST_BASE_URL: 'https://1234567-sb1.suitetalk.api.netsuite.com',
  NETSUITE_CONSUMER_KEY: 'ck',
  NETSUITE_CONSUMER_SECRET: 'cs-very-secret',
  NETSUITE_TOKEN_ID: 'tid',
  NETSUITE_TOKEN_SECRET: 'ts-very-secret',
};

function problemsOf(env: NodeJS.ProcessEnv, o: { temporalConfigured?: boolean } = {}): string[] {
  try {
    loadConfig(env, o);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults: embedded emulators, task queue invoice-settlement, demo tenant', () => {
    const c = loadConfig({});
    expect(c.emulators).toEqual({ zuora: true, netsuite: true });
    expect(c.taskQueue).toBe('invoice-settlement');
    expect(c.tenantId).toBe('demo');
    expect(c.zuora).toBeUndefined();
    expect(c.netsuite).toBeUndefined();
    expect(c.devServer).toEqual({ port: 7233, uiPort: 8233 });
    expect(c.metricsPort).toBeUndefined();
  });

  test('a non-numeric metrics port is refused, naming the variable and the value', () => {
    const problems = problemsOf({ METRICS_PORT: 'ninety' });
    expect(problems).toEqual([expect.stringMatching(/^METRICS_PORT: must be a whole number.*"ninety"/)]);
  });

  test('the sticky queue timeout (tests that kill workers) is unset by default, read in ms, refused if not a number', () => {
    expect(loadConfig({}).stickyQueueTimeoutMs).toBeUndefined();
    expect(loadConfig({ WORKER_STICKY_QUEUE_TIMEOUT_MS: '1000' }).stickyQueueTimeoutMs).toBe(1000);
    expect(problemsOf({ WORKER_STICKY_QUEUE_TIMEOUT_MS: '1s' })).toEqual([
      expect.stringMatching(/^WORKER_STICKY_QUEUE_TIMEOUT_MS: must be a whole number/),
    ]);
  });

  test('a port above 65535 is refused', () => {
    expect(problemsOf({ TEMPORAL_UI_PORT: '70000' })[0]).toMatch(
      /^TEMPORAL_UI_PORT: must be a port between 0 and 65535/,
    );
  });

  test('real Zuora and NetSuite settings are parsed; secrets are wrapped and never printed', () => {
    const c = loadConfig({ ...realZuora, ...realNetSuite, METRICS_PORT: '9464' });
    expect(c.zuora?.baseUrl).toBe('https://rest.zuora.com');
    expect(c.zuora?.clientSecret).toBeInstanceOf(Secret);
    expect(c.zuora?.clientSecret.reveal()).toBe('zuora-very-secret');
    expect(c.netsuite?.tokenSecret.reveal()).toBe('ts-very-secret');
    const printed = JSON.stringify(c) + inspect(c, { depth: 5 }) + String(c.netsuite?.consumerSecret);
    for (const secret of ['zuora-very-secret', 'cs-very-secret', 'ts-very-secret']) {
      expect(printed).not.toContain(secret);
    }
    expect(c.metricsPort).toBe(9464);
  });

  test('a partial Zuora configuration names what is missing', () => {
    const problems = problemsOf({ ZUORA_BASE_URL: 'https://rest.zuora.com', TENANT_ID: 'acme', ...realNetSuite });
    expect(problems).toEqual([expect.stringMatching(/^ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET: missing/)]);
  });

  test("a Zuora client id that is not Zuora's 36 characters is refused, naming the variable", () => {
    expect(problemsOf({ ...realZuora, ZUORA_CLIENT_ID: 'client-1' })).toEqual([
      expect.stringMatching(/^ZUORA_CLIENT_ID: must be the 36-character OAuth client id/),
    ]);
  });

  test('a real Zuora tenant needs TENANT_ID', () => {
    const { TENANT_ID: _omit, ...rest } = realZuora;
    expect(problemsOf({ ...rest, ...realNetSuite })).toEqual([expect.stringMatching(/^TENANT_ID: missing/)]);
  });

  test('a malformed URL is refused and a secret value is never echoed', () => {
    const problems = problemsOf({
      ...realZuora,
      ...realNetSuite,
      ZUORA_BASE_URL: 'rest.zuora.com',
      ZUORA_CLIENT_SECRET: '',
    });
    expect(problems.join('\n')).toMatch(/ZUORA_BASE_URL: must be a URL/);
    expect(problems.join('\n')).not.toContain('zuora-very-secret');
  });

  test('secrets can come from files (X_FILE), but not from both a file and the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-file-secret\n');
    const { ZUORA_CLIENT_SECRET: _s, ...rest } = realZuora;
    expect(loadConfig({ ...rest, ...realNetSuite, ZUORA_CLIENT_SECRET_FILE: file }).zuora?.clientSecret.reveal()).toBe(
      'from-file-secret',
    );
    expect(problemsOf({ ...realZuora, ...realNetSuite, ZUORA_CLIENT_SECRET_FILE: file })).toEqual([
      'ZUORA_CLIENT_SECRET and ZUORA_CLIENT_SECRET_FILE are both set: set only one',
    ]);
    expect(problemsOf({ ...rest, ...realNetSuite, ZUORA_CLIENT_SECRET_FILE: join(dir, 'missing') })[0]).toMatch(
      /^ZUORA_CLIENT_SECRET_FILE: cannot read .*missing \(ENOENT\)/,
    );
  });
});

describe('payload encryption and the codec server', () => {
  const k1 = Buffer.alloc(32, 1).toString('base64');
  const k2 = Buffer.alloc(32, 2).toString('base64');

  test('its variables are among the ones the config module reads', () => {
    expect(CONFIG_ENV_VARS).toEqual(
      expect.arrayContaining([
        'PAYLOAD_CODEC_KEYS',
        'PAYLOAD_CODEC_KEYS_FILE',
        'PAYLOAD_CODEC_CURRENT_KEY_ID',
        'CODEC_SERVER_PORT',
        'CODEC_SERVER_HOST',
        'CODEC_SERVER_TOKEN',
        'CODEC_SERVER_TOKEN_FILE',
        'CODEC_SERVER_CORS_ORIGINS',
      ]),
    );
  });

  test('off by default', () => {
    const c = loadConfig({});
    expect(c.payloadCodec).toBeUndefined();
    expect(c.codecServer).toBeUndefined();
  });

  test('keys are parsed, wrapped in Secret and never printed; the current key is named or the only one', () => {
    const c = loadConfig({ PAYLOAD_CODEC_KEYS: `k1:${k1},k2:${k2}`, PAYLOAD_CODEC_CURRENT_KEY_ID: 'k2' });
    expect(c.payloadCodec?.currentKeyId).toBe('k2');
    expect([...c.payloadCodec!.keys.keys()]).toEqual(['k1', 'k2']);
    expect(c.payloadCodec!.keys.get('k1')).toBeInstanceOf(Secret);
    expect(c.payloadCodec!.keys.get('k1')!.reveal()).toBe(k1);
    const printed = JSON.stringify(c) + inspect(c, { depth: 6 });
    for (const key of [k1, k2]) expect(printed).not.toContain(key);
    expect(loadConfig({ PAYLOAD_CODEC_KEYS: `only:${k1}` }).payloadCodec?.currentKeyId).toBe('only');
  });

  test('keys can come from a file (one per line)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'keys');
    writeFileSync(file, `old:${k1}\nnew:${k2}\n`);
    const c = loadConfig({ PAYLOAD_CODEC_KEYS_FILE: file, PAYLOAD_CODEC_CURRENT_KEY_ID: 'new' });
    expect([...c.payloadCodec!.keys.keys()]).toEqual(['old', 'new']);
  });

  test('a key that is not 32 bytes of base64 is refused, naming the entry by position, never the key', () => {
    const short = Buffer.alloc(16, 3).toString('base64');
    const problems = problemsOf({ PAYLOAD_CODEC_KEYS: `k1:${short},k2:not*base64,k3` });
    const text = problems.join('\n');
    expect(text).toMatch(/PAYLOAD_CODEC_KEYS: entry 1: the key is 16 bytes; AES-256 needs 32/);
    expect(text).toMatch(/PAYLOAD_CODEC_KEYS: entry 2: the key \(after the colon\) is not base64/);
    expect(text).toMatch(/PAYLOAD_CODEC_KEYS: entry 3 is not "keyId:base64key"/);
    expect(text).toContain('(value hidden)');
    expect(text).not.toContain(short);
  });

  test('duplicate key ids and bad key ids are refused', () => {
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `a:${k1},a:${k2}` }).join('\n')).toMatch(
      /entry 2: its key id appears twice/,
    );
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `bad/id:${k1}` }).join('\n')).toMatch(
      /entry 1: the key id .* must be 1-64/,
    );
  });

  test('an entry written key-first (or a bare key) never echoes any part of the key (issue 16)', () => {
    const key = randomBytes(32).toString('base64');
    const unpadded = randomBytes(32).toString('base64').replace(/=+$/, '');
    for (const keys of [
      `${key}:k1`,
      key,
      `${unpadded}:k1`,
      `k0:${k1},${key}`,
      `${key.slice(0, 20)}:${key.slice(21)}`,
    ]) {
      const text = problemsOf({ PAYLOAD_CODEC_KEYS: keys }).join('\n');
      expect(text).toMatch(/^PAYLOAD_CODEC_KEYS: entry \d/);
      for (const secret of [key, unpadded])
        for (let i = 0; i + 8 <= secret.length; i += 4) expect(text).not.toContain(secret.slice(i, i + 8));
    }
  });

  test('the current key id must be given with several keys and must be one of them', () => {
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `k1:${k1},k2:${k2}` })).toEqual([
      expect.stringMatching(/^PAYLOAD_CODEC_CURRENT_KEY_ID: missing \(PAYLOAD_CODEC_KEYS has 2 keys;/),
    ]);
    expect(problemsOf({ PAYLOAD_CODEC_KEYS: `k1:${k1}`, PAYLOAD_CODEC_CURRENT_KEY_ID: 'k9' })).toEqual([
      'PAYLOAD_CODEC_CURRENT_KEY_ID: "k9" is not a key id in PAYLOAD_CODEC_KEYS',
    ]);
    expect(problemsOf({ PAYLOAD_CODEC_CURRENT_KEY_ID: 'k1' })).toEqual([
      'PAYLOAD_CODEC_CURRENT_KEY_ID: set without PAYLOAD_CODEC_KEYS (set both, or neither)',
    ]);
  });

  test('the codec server needs the keys and a token of 24+ characters; the token is a Secret', () => {
    expect(problemsOf({ CODEC_SERVER_PORT: '8888' })).toEqual([
      expect.stringMatching(/^PAYLOAD_CODEC_KEYS: missing \(the codec server needs it/),
      expect.stringMatching(/^CODEC_SERVER_TOKEN: missing/),
    ]);
    expect(
      problemsOf({ CODEC_SERVER_PORT: '8888', PAYLOAD_CODEC_KEYS: `k1:${k1}`, CODEC_SERVER_TOKEN: 'short' }),
    ).toEqual(['CODEC_SERVER_TOKEN: must be at least 24 characters (openssl rand -hex 24) (value hidden)']);
    const token = 'codec-token-0123456789abcdef';
    const c = loadConfig({ CODEC_SERVER_PORT: '8888', PAYLOAD_CODEC_KEYS: `k1:${k1}`, CODEC_SERVER_TOKEN: token });
    expect(c.codecServer).toMatchObject({
      port: 8888,
      host: '127.0.0.1',
      corsOrigins: ['http://localhost:8233', 'http://127.0.0.1:8233'],
    });
    expect(c.codecServer?.token.reveal()).toBe(token);
    expect(JSON.stringify(c) + inspect(c, { depth: 6 })).not.toContain(token);
  });

  test('CORS origins are checked', () => {
    const base = { CODEC_SERVER_PORT: '8888', PAYLOAD_CODEC_KEYS: `k1:${k1}`, CODEC_SERVER_TOKEN: 'x'.repeat(24) };
    expect(
      loadConfig({ ...base, CODEC_SERVER_CORS_ORIGINS: 'http://localhost:8080, https://ui.example.com' }).codecServer
        ?.corsOrigins,
    ).toEqual(['http://localhost:8080', 'https://ui.example.com']);
    expect(problemsOf({ ...base, CODEC_SERVER_CORS_ORIGINS: 'localhost:8080' })[0]).toMatch(
      /^CODEC_SERVER_CORS_ORIGINS\.0: each origin must be scheme:\/\/host/,
    );
  });
});

describe('emulators start only when asked for (issue 16, point 2)', () => {
  test('a real Zuora and a Temporal address without NETSUITE_* is refused, naming what is missing', () => {
    const problems = problemsOf({ ...realZuora, TEMPORAL_ADDRESS: 'temporal.example.com:7233' });
    expect(problems).toEqual([
      expect.stringMatching(
        /^NETSUITE_ACCOUNT_ID, NETSUITE_REST_BASE_URL, .*NETSUITE_TOKEN_SECRET: missing .*ZUORA_\*.*EMULATORS=netsuite/,
      ),
    ]);
  });

  test('a Temporal address alone (or one from an envconfig profile) is a real configuration: both systems missing', () => {
    expect(problemsOf({ TEMPORAL_ADDRESS: 'temporal.example.com:7233' })).toHaveLength(2);
    expect(problemsOf({}, { temporalConfigured: true })).toEqual([
      expect.stringMatching(/^ZUORA_BASE_URL, ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET: missing/),
      expect.stringMatching(/^NETSUITE_ACCOUNT_ID, .*: missing/),
    ]);
  });

  test('EMULATORS names them explicitly: true, a list, or one system beside a real one', () => {
    const temporal = { TEMPORAL_ADDRESS: '127.0.0.1:7233' };
    expect(loadConfig({ ...temporal, EMULATORS: 'true' }).emulators).toEqual({ zuora: true, netsuite: true });
    expect(loadConfig({ ...temporal, EMULATORS: 'zuora,netsuite' }).emulators).toEqual({ zuora: true, netsuite: true });
    const half = loadConfig({ ...temporal, ...realZuora, EMULATORS: 'netsuite' });
    expect(half.emulators).toEqual({ zuora: false, netsuite: true });
    expect(half.zuora?.baseUrl).toBe('https://rest.zuora.com');
    expect(loadConfig({ ...realZuora, ...realNetSuite }).emulators).toEqual({ zuora: false, netsuite: false });
  });

  test('EMULATORS is refused when it is not a documented value or names a configured system', () => {
    expect(problemsOf({ EMULATORS: 'yes please' })[0]).toMatch(/^EMULATORS: must be true, false, zuora, netsuite/);
    expect(problemsOf({ ...realZuora, ...realNetSuite, EMULATORS: 'zuora' })).toEqual([
      expect.stringMatching(/^EMULATORS: names zuora but ZUORA_\* settings are set too/),
    ]);
    expect(problemsOf({ EMULATORS: 'false' })).toHaveLength(2);
  });
});

describe('URLs are never printed with their secrets (issue 16, point 3)', () => {
  test('credentials in a URL and the path of a Slack webhook stay out of config errors', () => {
    const withPassword = 'ftp://user:hunter2-password@rest.zuora.com/v1';
    const webhook = 'https://hooks.slack.com/services/T000/B000/XXXXsecretpathXXXX';
    const problems = problemsOf({
      ...realZuora,
      ...realNetSuite,
      ZUORA_BASE_URL: withPassword,
      NOTIFY_WEBHOOK_URL: webhook.replace('https://', 'hxxps://'),
    }).join('\n');
    expect(problems).toMatch(/ZUORA_BASE_URL: must start with http/);
    expect(problems).toContain('user:***@rest.zuora.com');
    expect(problems).toMatch(/NOTIFY_WEBHOOK_URL: must start with http.*hooks\.slack\.com\)/);
    expect(problems).not.toContain('hunter2-password');
    expect(problems).not.toContain('XXXXsecretpathXXXX');
  });

  test('redactUrl keeps scheme and host only', () => {
    expect(redactUrl('https://user:pw@host.example:8443/a/b?c=d')).toBe('https://user:***@host.example:8443');
    expect(redactUrl('https://hooks.slack.com/services/T/B/secret')).toBe('https://hooks.slack.com');
    expect(redactUrl('not a url')).toBe('(not a URL)');
  });
});

describe('Worker Deployment Versioning settings (README "Deploying a new version")', () => {
  test('off unless set: the demo and an unversioned worker', () => {
    expect(loadConfig({}).workerDeployment).toBeUndefined();
  });

  test('the deployment name and the build id together make the version', () => {
    const c = loadConfig({ TEMPORAL_DEPLOYMENT_NAME: 'invoice-settlement', TEMPORAL_BUILD_ID: '2026.12.01-3f9c2e1' });
    expect(c.workerDeployment).toEqual({ deploymentName: 'invoice-settlement', buildId: '2026.12.01-3f9c2e1' });
  });

  test('one without the other is refused, naming the missing one', () => {
    expect(problemsOf({ TEMPORAL_BUILD_ID: 'v2' })).toEqual([
      'TEMPORAL_DEPLOYMENT_NAME: missing (needed for Worker Deployment Versioning because TEMPORAL_BUILD_ID is set)',
    ]);
    expect(problemsOf({ TEMPORAL_DEPLOYMENT_NAME: 'invoice-settlement' })).toEqual([
      'TEMPORAL_BUILD_ID: missing (needed for Worker Deployment Versioning because TEMPORAL_DEPLOYMENT_NAME is set)',
    ]);
  });

  test('malformed values are refused with the variable and the value', () => {
    // The server writes a version as "<deployment>.<build id>": a "." in the name would make it ambiguous.
    expect(problemsOf({ TEMPORAL_DEPLOYMENT_NAME: 'invoice.settlement', TEMPORAL_BUILD_ID: 'v 2' })).toEqual([
      'TEMPORAL_DEPLOYMENT_NAME: must be 1-128 letters, digits, "-" or "_" (no ".") (got "invoice.settlement")',
      'TEMPORAL_BUILD_ID: must be 1-128 letters, digits, ".", "_", "+" or "-" (got "v 2")',
    ]);
  });

  test('both are names the config module reads (docker-compose.yml is checked against them)', () => {
    expect(CONFIG_ENV_VARS).toEqual(expect.arrayContaining(['TEMPORAL_DEPLOYMENT_NAME', 'TEMPORAL_BUILD_ID']));
  });
});
