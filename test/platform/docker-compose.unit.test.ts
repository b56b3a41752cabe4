// No Docker engine runs here, so the compose file is checked against the config module instead.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_VARS, loadConfig } from '../../src/config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { devServerArgs } from '../../src/temporal/dev-server';
import { WORKER_ONLY_FLAG } from '../../src/worker-only';

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
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
        'temporal-schema',
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

  describe('Temporal: temporalio/server with an admin-tools schema job (issue 15, point 4)', () => {
    const svc = (name: string) => compose.services[name]!;
    /** The shell lines of a job run as `sh -ec <script>`. */
    const scriptOf = (name: string) => {
      expect(svc(name).entrypoint).toEqual(['/bin/sh', '-ec']);
      return svc(name).command!.join('\n');
    };
    const tagOf = (image: string | undefined, repo: string) => {
      const m = new RegExp(`^${repo}:(\\d+)\\.(\\d+)\\.(\\d+)$`).exec(image ?? '');
      if (!m) throw new Error(`${image} is not ${repo}:<major>.<minor>.<patch>`);
      return m.slice(1).map(Number) as [number, number, number];
    };
    const atLeast = (v: number[], min: number[]) => v[0]! > min[0]! || (v[0] === min[0] && v[1]! >= min[1]!);
    // The version `npm run test:cluster` builds and tests, read from where it is pinned.
    const pinned = /PINNED_SERVER = \{[^}]*version: 'v(\d+\.\d+\.\d+)'/.exec(
      readFileSync(join(root, 'scripts', 'ensure-temporal-cluster.mjs'), 'utf8'),
    )?.[1];

    test('no deprecated auto-setup image; server and admin-tools at the version the cluster suite tests (>= 1.30)', () => {
      const images = Object.values(compose.services).map((s) => s.image ?? '');
      expect(images.filter((i) => i.startsWith('temporalio/auto-setup'))).toEqual([]);
      expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
      expect(tagOf(svc('temporal').image, 'temporalio/server').join('.')).toBe(pinned);
      expect(atLeast(tagOf(svc('temporal').image, 'temporalio/server'), [1, 30])).toBe(true);
      for (const job of ['temporal-schema', 'temporal-setup'])
        expect(tagOf(svc(job).image, 'temporalio/admin-tools').join('.')).toBe(pinned);
    });

    test('the Web UI is 2.47 or later', () => {
      expect(atLeast(tagOf(svc('temporal-ui').image, 'temporalio/ui'), [2, 47])).toBe(true);
    });

    test('the schema job sets up both databases, and the server starts only once it succeeded', () => {
      expect(svc('temporal').depends_on?.['temporal-schema']).toEqual({ condition: 'service_completed_successfully' });
      expect(svc('temporal-schema').depends_on?.postgresql).toEqual({ condition: 'service_healthy' });
      const env = svc('temporal-schema').environment!;
      const server = svc('temporal').environment!;
      expect(env).toMatchObject({ SQL_PLUGIN: server.DB, SQL_HOST: server.POSTGRES_SEEDS, SQL_PORT: server.DB_PORT });
      expect(env.SQL_USER).toBe(server.POSTGRES_USER);
      expect(env.SQL_PASSWORD).toBe(server.POSTGRES_PWD);
      expect(server.DB).toBe('postgres12');
      const lines = scriptOf('temporal-schema').trim().split('\n');
      // As the server's docs set it up (and test/cluster/cluster.ts does): create, set up 0.0, update to the latest.
      expect(lines).toEqual(
        (['temporal', 'temporal_visibility'] as const).flatMap((db) => [
          `temporal-sql-tool --db ${db} create-database`,
          `temporal-sql-tool --db ${db} setup-schema -v 0.0`,
          `temporal-sql-tool --db ${db} update-schema -d /etc/temporal/schema/postgresql/v12/${db === 'temporal' ? 'temporal' : 'visibility'}/versioned`,
        ]),
      );
    });

    test("the setup job creates the worker's namespace and registers every custom search attribute with its type", () => {
      const script = scriptOf('temporal-setup');
      expect(svc('temporal-setup').depends_on?.temporal).toEqual({ condition: 'service_healthy' });
      expect(svc('worker').depends_on?.['temporal-setup']).toEqual({ condition: 'service_completed_successfully' });
      const namespace = svc('worker').environment!.TEMPORAL_NAMESPACE;
      expect(script).toContain(`temporal operator namespace create --namespace ${namespace} `);
      const create = script.split('\n').find((l) => l.includes('temporal operator search-attribute create'))!;
      expect(create).toContain(`--namespace ${namespace} `);
      const registered = [...create.matchAll(/--name (\S+) --type (\w+)/g)].map((m) => [m[1], m[2]]);
      // The CLI's type names for the SDK's (IndexedValueType).
      const cliType: Record<string, string> = {
        TEXT: 'Text',
        KEYWORD: 'Keyword',
        INT: 'Int',
        DOUBLE: 'Double',
        BOOL: 'Bool',
        DATETIME: 'Datetime',
        KEYWORD_LIST: 'KeywordList',
      };
      expect(registered).toEqual(CUSTOM_SEARCH_ATTRIBUTES.map((k) => [k.name, cliType[k.type]]));
    });

    test('Workflow Pause is enabled as the dev server enables it', () => {
      const dev = devServerArgs({ cliPath: 'temporal', dataDir: '/tmp', port: 7233, uiPort: 8233 }, 'db');
      const enabled = dev.filter((_, i) => dev[i - 1] === '--dynamic-config-value');
      expect(enabled).toContain('frontend.WorkflowPauseEnabled=true');
      // Mounted where the server image reads its dynamic config by default (DYNAMIC_CONFIG_FILE_PATH unset).
      expect(svc('temporal').environment!.DYNAMIC_CONFIG_FILE_PATH).toBeUndefined();
      const mount = svc('temporal').volumes!.find((v) => v.includes(':/etc/temporal/config/dynamicconfig/docker.yaml'));
      const file = join(root, mount!.split(':')[0]!);
      const dynamic = parse(readFileSync(file, 'utf8')) as Record<string, { value: unknown }[]>;
      for (const setting of enabled) {
        const [key, value] = setting.split('=');
        expect({ key, value: dynamic[key!]?.[0]?.value }).toEqual({ key, value: JSON.parse(value!) });
      }
    });

    test("the worker runs `npm run worker`, the worker-only entry, as the image's CMD does", () => {
      expect(svc('worker').command).toEqual(['npm', 'run', 'worker']);
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      expect(pkg.scripts.worker!.split(' ')).toContain(WORKER_ONLY_FLAG);
      expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain('CMD ["npm", "run", "worker"]');
    });
  });
});
