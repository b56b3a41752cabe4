// No Docker engine runs here, so the compose file is checked against the config module instead.
import { existsSync, readFileSync } from 'node:fs';
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
    expect(compose.services.temporal?.ports).toContain('127.0.0.1:7233:7233');
    expect(compose.services['temporal-ui']?.ports).toContain('127.0.0.1:8080:8080');
  });

  test('the emulators listen where the worker is told to find them', () => {
    const worker = compose.services.worker!.environment!;
    const zuoraPort = compose.services['zuora-emulator']!.environment!.ZUORA_EMULATOR_PORT;
    const netsuitePort = compose.services['netsuite-emulator']!.environment!.NETSUITE_EMULATOR_PORT;
    expect(worker.ZUORA_BASE_URL).toBe(`http://zuora-emulator:${zuoraPort}`);
    expect(worker.NETSUITE_REST_BASE_URL).toBe(`http://netsuite-emulator:${netsuitePort}`);
    expect(compose.services['zuora-emulator']!.ports).toContain(`127.0.0.1:${zuoraPort}:${zuoraPort}`);
    expect(compose.services['netsuite-emulator']!.command).toEqual(['node', 'dist/emulators/netsuite/main.js']);
  });

  test('the image holds what each service runs: the Dockerfile copies every folder the build compiles', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    const folders = [...new Set(build.include.map((glob) => glob.split('/')[0]!))];
    expect(folders.filter((f) => !dockerfile.includes(`COPY ${f} ./${f}\n`))).toEqual([]);
    // A `node dist/<path>.js` command runs what the build compiles from <path>.ts.
    const commands = Object.values(compose.services).flatMap((s) => (s.command?.[0] === 'node' ? [s.command[1]!] : []));
    expect(commands.length).toBeGreaterThan(0);
    const sources = commands.map((js) => js.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    expect(sources.filter((ts) => !existsSync(join(root, ts)) || !folders.includes(ts.split('/')[0]!))).toEqual([]);
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

  test('every published port is bound to 127.0.0.1 (issue 16, point 7)', () => {
    const published = Object.entries(compose.services).flatMap(([name, svc]) =>
      (svc.ports ?? []).map((p) => ({ name, port: String(p) })),
    );
    expect(published.length).toBeGreaterThanOrEqual(5);
    // HOST_IP:HOST_PORT:CONTAINER_PORT with HOST_IP 127.0.0.1; a bare "8080:8080" or "8080" means all interfaces.
    expect(published.filter((p) => !/^127\.0\.0\.1:\d+:\d+(\/(tcp|udp))?$/.test(p.port))).toEqual([]);
  });

  test('the emulators are asked for explicitly: the worker names their URLs and sets no EMULATORS', () => {
    const worker = compose.services.worker!.environment!;
    expect(worker.EMULATORS).toBeUndefined();
    const resolved = Object.fromEntries(
      Object.entries(worker).map(([k, v]) => {
        const m = /^\/run\/secrets\/(.+)$/.exec(v);
        return [k, m ? join(root, compose.secrets[m[1]!]!.file!) : v];
      }),
    );
    expect(loadConfig(resolved).emulators).toEqual({ zuora: false, netsuite: false });
  });
});
