// A production Temporal for the cluster suite (issue 15, point 3): PostgreSQL in a private data folder on a free
// port, the schema set up with temporal-sql-tool from the schema the server module ships, and the server built
// by scripts/ensure-temporal-cluster.mjs, configured from the module's own development-postgres12.yaml sample with
// our ports. The namespace and our search attributes are created with the `temporal` CLI, as the README tells a
// user to. Everything runs in its own process group so that stop() leaves nothing behind.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { freePort } from '../helpers/ports';
import { temporalCli } from '../helpers/temporal-cli';
import { runComposeSchemaJob } from './compose-schema';
import {
  recordGroups,
  reclaimOrphans,
  runOrThrow,
  startGroup,
  startReaper,
  stopGroup,
  until,
  type Group,
} from './process-groups';
import {
  DB_PASSWORD,
  DB_USER,
  dynamicConfig,
  freeMembershipSafePort,
  loadClusterPaths,
  serverConfig,
  type ClusterPaths,
  type Ports,
} from './server-config';

export { processExists } from './process-groups';

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
  const reaper = startReaper(root, address);
  const record = () => recordGroups(groups);
  const stop = async () => {
    if (server) await stopGroup(server, 'SIGTERM');
    // SIGINT is PostgreSQL's "fast" shutdown: it does not wait for clients to disconnect.
    if (postgres) await stopGroup(postgres, 'SIGINT');
    for (const g of groups) await stopGroup(g, 'SIGKILL');
    reaper.disarm();
    rmSync(root, { recursive: true, force: true });
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

    // The schema, as the server's docs set it up (create the database, set up version 0.0, update to the latest),
    // with docker-compose.yml's temporal-schema job lines: the suite checks what users run (./compose-schema.ts).
    t0 = Date.now();
    runComposeSchemaJob({
      sqlTool: paths.sqlTool,
      schemaDir: paths.schemaDir,
      port: ports.postgres,
      user: DB_USER,
      password: DB_PASSWORD,
    });
    figures.schemaSeconds = seconds(t0);
    log(`schema set up in ${figures.schemaSeconds.toFixed(1)} s`);

    const dynamicConfigFile = join(root, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigFile, dynamicConfig());
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
