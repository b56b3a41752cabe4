// A production Temporal for the cluster suite (issue 15, point 3): PostgreSQL in a private data folder on a free
// port, the schema set up with temporal-sql-tool from the schema the server module ships, and the server built
// by scripts/ensure-temporal-cluster.mjs, configured from the module's own development-postgres12.yaml sample with
// our ports. The namespace and our search attributes are created with the `temporal` CLI, as the README tells a
// user to. Everything runs in its own process group so that stop() leaves nothing behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from '../helpers/ports';
import { temporalCli } from '../helpers/temporal-cli';

const pathsSchema = z.object({
  serverVersion: z.string(),
  server: z.string(),
  sqlTool: z.string(),
  schemaDir: z.string(),
  sampleConfig: z.string(),
  postgresBin: z.string(),
  /** Who runs PostgreSQL when we are root (it refuses to run as root); null when we are not root. */
  postgresUser: z.object({ name: z.string(), uid: z.number(), gid: z.number() }).nullable(),
});
export type ClusterPaths = z.infer<typeof pathsSchema>;

export function loadClusterPaths(): ClusterPaths {
  const file = join(PROJECT_ROOT, '.temporal', 'cluster', 'paths.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: run \`npm run test:cluster\` (it runs scripts/ensure-temporal-cluster.mjs)`);
  }
  return pathsSchema.parse(JSON.parse(text));
}

/** Test-only database credentials of the private PostgreSQL (scram-sha-256, as a real server would ask). */
const DB_USER = 'temporal';
const DB_PASSWORD = 'temporal-cluster-suite';

type Group = { name: string; child: ChildProcess; exited: Promise<void>; output: () => string };

/** A detached child (its own process group, so a stop reaches everything it started), its output to `logFile`. */
function startGroup(
  name: string,
  cmd: string,
  args: string[],
  logFile: string,
  o: { uid?: number; gid?: number; cwd?: string } = {},
): Group {
  const child = spawn(cmd, args, { ...o, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  let tail = '';
  const onData = (b: Buffer) => {
    log.write(b);
    tail = (tail + b.toString()).slice(-3000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, child, exited, output: () => tail };
}

/**
 * Process groups of a run that was itself killed outright (jest SIGKILLed, a CI timeout) and so never stopped them:
 * recorded in this file while they run, reclaimed by the next run (only if their command line is still ours).
 */
const RUNNING_FILE = join(PROJECT_ROOT, '.temporal', 'cluster', 'running.json');

function reclaimOrphans(log: (line: string) => void): void {
  let pids: number[] = [];
  try {
    pids = z.array(z.number().int().positive()).parse(JSON.parse(readFileSync(RUNNING_FILE, 'utf8')));
  } catch {
    return;
  }
  for (const pid of pids) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // gone
    }
    if (!cmdline.includes('is-cluster-')) continue; // not ours any more: leave it alone
    log(`stopping process group ${pid} left running by an earlier cluster run`);
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  rmSync(RUNNING_FILE, { force: true });
}

function alive(g: Group): boolean {
  return g.child.exitCode === null && g.child.signalCode === null;
}

/** `signal` to the whole group, then SIGKILL if it has not exited within `graceMs`. */
async function stopGroup(g: Group, signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
  if (!alive(g) || g.child.pid === undefined) return;
  const kill = (s: NodeJS.Signals) => {
    try {
      process.kill(-g.child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), graceMs);
  await g.exited;
  clearTimeout(timer);
}

async function until<T>(what: string, g: Group, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive(g)) throw new Error(`${g.name} exited before ${what}:\n${g.output()}`);
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}:\n${g.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function runOrThrow(what: string, cmd: string, args: string[], o: Parameters<typeof spawnSync>[2] = {}): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...o });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${String(r.stderr)}${String(r.stdout)}`);
}

/**
 * A free port below 32768 on 127.0.0.1. The server records its services' ports in cluster_membership, whose
 * rpc_port column is a PostgreSQL smallint (schema/postgresql/v12/temporal/schema.sql): an ephemeral port such as
 * 40399 stops it with "value is out of range for type smallint" (seen here). Real deployments use 6933-7243.
 */
async function freeMembershipSafePort(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port between 20000 and 32000 on 127.0.0.1');
}

type Ports = Record<'postgres' | 'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker', number> & {
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
};

/** The module's sample config with our ports, database and log level; archival, pprof and metrics left out. */
function serverConfig(paths: ClusterPaths, ports: Ports, dynamicConfigFile: string): string {
  const c = parse(readFileSync(paths.sampleConfig, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  c.log = { stdout: true, level: 'warn' };
  for (const store of Object.values(c.persistence.datastores) as { sql: Record<string, unknown> }[]) {
    Object.assign(store.sql, { connectAddr: `127.0.0.1:${ports.postgres}`, user: DB_USER, password: DB_PASSWORD });
  }
  delete c.global.pprof;
  delete c.global.metrics;
  delete c.archival;
  delete c.namespaceDefaults;
  for (const svc of ['frontend', 'history', 'matching', 'worker'] as const) {
    Object.assign(c.services[svc].rpc, { grpcPort: ports[svc], membershipPort: ports.membership[svc] });
  }
  c.services.frontend.rpc.httpPort = ports.frontendHttp;
  c.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${ports.frontend}`;
  c.dynamicConfigClient = { filepath: dynamicConfigFile, pollInterval: '10s' };
  return stringify(c);
}

/**
 * Dynamic config: a new namespace is known to every service within a second (default 10 s) so the suite need not
 * wait; the rest is as the server ships it. Nothing here changes how workflows run.
 */
const DYNAMIC_CONFIG = {
  'system.namespaceCacheRefreshInterval': [{ value: '1s' }],
  'frontend.enableUpdateWorkflowExecution': [{ value: true }],
};

export type ClusterFigures = {
  postgresStartSeconds: number;
  schemaSeconds: number;
  serverStartSeconds: number;
  namespaceSeconds: number;
  serverRestartSeconds: number[];
};

export type RunningCluster = {
  address: string;
  namespace: string;
  paths: ClusterPaths;
  figures: ClusterFigures;
  /** Stops the server (SIGTERM, as a supervisor would) and starts it again on the same ports and database. */
  restartServer(): Promise<void>;
  /** Process ids of everything the cluster started (PostgreSQL and every server process so far). */
  pids(): number[];
  /** The data folder (PostgreSQL's files, configs, logs), removed by stop(). */
  root: string;
  stop(): Promise<void>;
};

const seconds = (t0: number) => (Date.now() - t0) / 1000;

export async function startCluster(o: {
  namespace: string;
  /** Where the PostgreSQL and server logs go (kept after stop); the data folder otherwise. */
  logDir?: string;
  log?: (line: string) => void;
}): Promise<RunningCluster> {
  const log = o.log ?? (() => undefined);
  const paths = loadClusterPaths();
  reclaimOrphans(log);
  const root = mkdtempSync(join(tmpdir(), 'is-cluster-'));
  chmodSync(root, 0o755); // the postgres user must reach its data folder inside
  const logDir = o.logDir ?? root;
  mkdirSync(logDir, { recursive: true });
  const taken = new Set<number>();
  const port = () => freeMembershipSafePort(taken);
  const ports: Ports = {
    postgres: await freePort(),
    frontend: await port(),
    frontendHttp: await port(),
    history: await port(),
    matching: await port(),
    worker: await port(),
    membership: { frontend: await port(), history: await port(), matching: await port(), worker: await port() },
  };
  const groups: Group[] = [];
  let server: Group | undefined;
  let postgres: Group | undefined;
  const figures: ClusterFigures = {
    postgresStartSeconds: 0,
    schemaSeconds: 0,
    serverStartSeconds: 0,
    namespaceSeconds: 0,
    serverRestartSeconds: [],
  };
  const address = `127.0.0.1:${ports.frontend}`;
  const record = () =>
    writeFileSync(RUNNING_FILE, JSON.stringify(groups.filter(alive).flatMap((g) => g.child.pid ?? [])));
  // Jest killed or interrupted before stop(): its `process` is a copy whose signal and exit handlers never fire, so a
  // detached shell holds a pipe from us and, when it closes (we are gone), kills every recorded group and removes
  // the data folder. stop() empties the record first, so then it only finds nothing to do.
  const reaper = spawn(
    'sh',
    [
      '-c',
      [
        'cat >/dev/null',
        'if [ -f "$1" ]; then',
        '  for p in $(tr -c "0-9" " " < "$1"); do kill -KILL -"$p" 2>/dev/null; done',
        // The worker processes the test started (jest's children, orphaned with it): exactly those pointed at our
        // frontend, whose port is this run's alone.
        '  for e in /proc/[0-9]*/environ; do',
        '    if grep -qazxF "TEMPORAL_ADDRESS=$3" "$e" 2>/dev/null; then p=${e#/proc/}; kill -KILL "${p%/environ}"; fi',
        '  done',
        '  rm -f "$1"',
        'fi',
        'rm -rf "$2"',
      ].join('\n'),
      'cluster-reaper',
      RUNNING_FILE,
      root,
      address,
    ],
    { detached: true, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void }).unref?.();
  const stop = async () => {
    if (server) await stopGroup(server, 'SIGTERM');
    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    if (postgres) await stopGroup(postgres, 'SIGINT');
    for (const g of groups) await stopGroup(g, 'SIGKILL');
    rmSync(RUNNING_FILE, { force: true });
    rmSync(root, { recursive: true, force: true });
    reaper.stdin?.end();
  };

  try {
    // PostgreSQL: initdb and the server as a non-root user when we are root (postgres refuses root).
    let t0 = Date.now();
    const pgData = join(root, 'pgdata');
    const pwFile = join(root, 'pgpass');
    mkdirSync(pgData, { mode: 0o700 });
    writeFileSync(pwFile, DB_PASSWORD + '\n', { mode: 0o600 });
    const owner = paths.postgresUser ? { uid: paths.postgresUser.uid, gid: paths.postgresUser.gid } : {};
    if (paths.postgresUser) {
      chownSync(pgData, paths.postgresUser.uid, paths.postgresUser.gid);
      chownSync(pwFile, paths.postgresUser.uid, paths.postgresUser.gid);
    }
    runOrThrow(
      'initdb',
      join(paths.postgresBin, 'initdb'),
      ['-D', pgData, '-U', DB_USER, '--pwfile', pwFile, '--auth', 'scram-sha-256', '-E', 'UTF8', '--no-locale'],
      { ...owner, cwd: root },
    );
    postgres = startGroup(
      'postgres',
      join(paths.postgresBin, 'postgres'),
      ['-D', pgData, '-p', String(ports.postgres), '-c', 'listen_addresses=127.0.0.1', '-k', pgData],
      join(logDir, 'postgres.log'),
      { ...owner, cwd: root },
    );
    groups.push(postgres);
    record();
    await until('PostgreSQL to accept connections', postgres, 60_000, async () =>
      /ready to accept connections/.test(postgres!.output()) ? true : undefined,
    );
    figures.postgresStartSeconds = seconds(t0);
    log(`PostgreSQL on 127.0.0.1:${ports.postgres} in ${figures.postgresStartSeconds.toFixed(1)} s`);

    // The schema, as the server's docs set it up: create the database, set up version 0.0, update to the latest.
    t0 = Date.now();
    const sqlEnv = { ...process.env, SQL_PASSWORD: DB_PASSWORD };
    for (const [db, folder] of [
      ['temporal', 'temporal'],
      ['temporal_visibility', 'visibility'],
    ] as const) {
      const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(ports.postgres), '-u', DB_USER];
      const tool = (args: string[]) =>
        runOrThrow(`temporal-sql-tool ${args[0]} (${db})`, paths.sqlTool, [...base, '--db', db, ...args], {
          env: sqlEnv,
        });
      tool(['create-database']);
      tool(['setup-schema', '-v', '0.0']);
      tool(['update-schema', '-d', join(paths.schemaDir, folder, 'versioned')]);
    }
    figures.schemaSeconds = seconds(t0);
    log(`schema set up in ${figures.schemaSeconds.toFixed(1)} s`);

    const dynamicConfigFile = join(root, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigFile, stringify(DYNAMIC_CONFIG));
    const configFile = join(root, 'temporal.yaml');
    writeFileSync(configFile, serverConfig(paths, ports, dynamicConfigFile), { mode: 0o600 });

    const startServer = async (): Promise<number> => {
      const t = Date.now();
      server = startGroup(
        'temporal-server',
        paths.server,
        ['--config-file', configFile, '--allow-no-auth', 'start'],
        join(logDir, 'temporal-server.log'),
        { cwd: root },
      );
      groups.push(server);
      record();
      await until(`the Temporal server to answer on ${address}`, server, 180_000, async () => {
        const conn = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await conn.workflowService.getSystemInfo({});
          await conn.workflowService.describeNamespace({ namespace: 'temporal-system' });
          return true;
        } finally {
          await conn.close();
        }
      });
      return seconds(t);
    };
    figures.serverStartSeconds = await startServer();
    log(`Temporal server ${paths.serverVersion} on ${address} in ${figures.serverStartSeconds.toFixed(1)} s`);

    // The namespace and our search attributes, with the commands the README gives a user.
    t0 = Date.now();
    process.env.TEST_TEMPORAL_ADDRESS = address; // read by temporalCli
    const cli = async (args: string[]) => {
      const r = await temporalCli(args);
      if (r.status !== 0) throw new Error(`temporal ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    };
    await cli(['operator', 'namespace', 'create', '--namespace', o.namespace, '--retention', '3d']);
    await until(`namespace ${o.namespace} to be known`, server!, 60_000, async () => {
      await cli(['operator', 'namespace', 'describe', '--namespace', o.namespace]);
      return true;
    });
    // The README's command: each --name with its own --type. With one --type after three names, CLI 1.9.1 adds only
    // the first, silently (seen here: the workflows then failed with BadSearchAttributes "no mapping defined").
    await cli([
      'operator',
      'search-attribute',
      'create',
      '--namespace',
      o.namespace,
      ...CUSTOM_SEARCH_ATTRIBUTES.flatMap((k) => ['--name', k.name, '--type', 'Keyword']),
    ]);
    figures.namespaceSeconds = seconds(t0);
    log(`namespace ${o.namespace} and search attributes in ${figures.namespaceSeconds.toFixed(1)} s`);

    return {
      address,
      namespace: o.namespace,
      paths,
      figures,
      root,
      restartServer: async () => {
        const t = Date.now();
        await stopGroup(server!, 'SIGTERM');
        await startServer();
        figures.serverRestartSeconds.push(seconds(t));
      },
      pids: () => groups.flatMap((g) => (g.child.pid === undefined ? [] : [g.child.pid])),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Whether a process (or, with a negative id, a process group) still exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
