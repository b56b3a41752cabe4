import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, Secret } from '../../src/config';

const realZuora = {
  TENANT_ID: 'acme',
  ZUORA_BASE_URL: 'https://rest.zuora.com/',
  ZUORA_CLIENT_ID: 'client-1',
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

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  test('defaults: embedded emulators, task queue invoice-settlement, demo tenant', () => {
    const c = loadConfig({});
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
    const problems = problemsOf({ ZUORA_BASE_URL: 'https://rest.zuora.com', TENANT_ID: 'acme' });
    expect(problems).toEqual([expect.stringMatching(/^ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET: missing/)]);
  });

  test('a real Zuora tenant needs TENANT_ID', () => {
    const { TENANT_ID: _omit, ...rest } = realZuora;
    expect(problemsOf(rest)).toEqual([expect.stringMatching(/^TENANT_ID: missing/)]);
  });

  test('a malformed URL is refused and a secret value is never echoed', () => {
    const problems = problemsOf({ ...realZuora, ZUORA_BASE_URL: 'rest.zuora.com', ZUORA_CLIENT_SECRET: '' });
    expect(problems.join('\n')).toMatch(/ZUORA_BASE_URL: must be a URL/);
    expect(problems.join('\n')).not.toContain('zuora-very-secret');
  });

  test('secrets can come from files (X_FILE), but not from both a file and the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-file-secret\n');
    const { ZUORA_CLIENT_SECRET: _s, ...rest } = realZuora;
    expect(loadConfig({ ...rest, ZUORA_CLIENT_SECRET_FILE: file }).zuora?.clientSecret.reveal()).toBe(
      'from-file-secret',
    );
    expect(problemsOf({ ...realZuora, ZUORA_CLIENT_SECRET_FILE: file })).toEqual([
      'ZUORA_CLIENT_SECRET and ZUORA_CLIENT_SECRET_FILE are both set: set only one',
    ]);
    expect(problemsOf({ ...rest, ZUORA_CLIENT_SECRET_FILE: join(dir, 'missing') })[0]).toMatch(
      /^ZUORA_CLIENT_SECRET_FILE: cannot read .*missing \(ENOENT\)/,
    );
  });
});
