// No Docker engine runs here, so the compose file is checked against the config module instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_VARS, loadConfig } from '../../src/config';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
};
const root = join(__dirname, '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string }>;
};

describe('docker-compose.yml', () => {
  test('has Temporal on PostgreSQL, the Web UI, the worker and both emulators', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'netsuite-emulator',
        'postgresql',
        'temporal',
        'temporal-setup',
        'temporal-ui',
        'worker',
        'zuora-emulator',
      ].sort(),
    );
    expect(compose.services.temporal?.environment?.DB).toBe('postgres12');
    expect(compose.services.temporal?.environment?.POSTGRES_SEEDS).toBe('postgresql');
    expect(compose.services.temporal?.ports).toContain('7233:7233');
    expect(compose.services['temporal-ui']?.ports).toContain('8080:8080');
  });

  test('the emulators listen where the worker is told to find them', () => {
    const worker = compose.services.worker!.environment!;
    const zuoraPort = compose.services['zuora-emulator']!.environment!.ZUORA_EMULATOR_PORT;
    const netsuitePort = compose.services['netsuite-emulator']!.environment!.NETSUITE_EMULATOR_PORT;
    expect(worker.ZUORA_BASE_URL).toBe(`http://zuora-emulator:${zuoraPort}`);
    expect(worker.NETSUITE_REST_BASE_URL).toBe(`http://netsuite-emulator:${netsuitePort}`);
    expect(compose.services['zuora-emulator']!.ports).toContain(`${zuoraPort}:${zuoraPort}`);
    expect(compose.services['netsuite-emulator']!.command).toEqual(['node', 'dist/src/emulators/netsuite/main.js']);
  });

  test('every worker variable is one the config module reads, and together they are a valid configuration', () => {
    const env = compose.services.worker!.environment!;
    const unknown = Object.keys(env).filter((k) => !CONFIG_ENV_VARS.includes(k));
    expect(unknown).toEqual([]);
    // Secrets come from files mounted by compose; point them at the committed demo files.
    const resolved: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) {
      const m = /^\/run\/secrets\/(.+)$/.exec(v);
      resolved[k] = m ? join(root, compose.secrets[m[1]!]!.file!) : v;
    }
    const config = loadConfig(resolved);
    expect(config.zuora?.baseUrl).toBe('http://zuora-emulator:4010');
    expect(config.netsuite?.accountId).toBe('TSTDRV1234567');
    expect(config.metricsPort).toBe(9464);
    expect(config.taskQueue).toBe('invoice-settlement');
  });

  test('secrets are mounted as files, never written in the environment', () => {
    const env = compose.services.worker!.environment!;
    expect(Object.keys(env).filter((k) => /SECRET$/.test(k))).toEqual([]);
    expect(compose.services.worker!.secrets?.sort()).toEqual(
      ['netsuite_consumer_secret', 'netsuite_token_secret', 'zuora_client_secret'].sort(),
    );
  });
});
