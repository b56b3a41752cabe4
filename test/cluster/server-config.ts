// What the cluster suite's Temporal server is configured with: where the build put it (cluster paths), its ports,
// and its static and dynamic config, derived from the sample config the server module ships.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

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
export const DB_USER = 'temporal';
export const DB_PASSWORD = 'temporal-cluster-suite';

/**
 * A free port below 32768 on 127.0.0.1. The server records its services' ports in cluster_membership, whose
 * rpc_port column is a PostgreSQL smallint (schema/postgresql/v12/temporal/schema.sql): an ephemeral port such as
 * 40399 stops it with "value is out of range for type smallint" (seen here). Real deployments use 6933-7243.
 */
export async function freeMembershipSafePort(taken: Set<number>): Promise<number> {
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

export type Ports = Record<'postgres' | 'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker', number> & {
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
};

/** The module's sample config with our ports, database and log level; archival, pprof and metrics left out. */
export function serverConfig(paths: ClusterPaths, ports: Ports, dynamicConfigFile: string): string {
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

/** The dynamic config file's text. */
export function dynamicConfig(): string {
  return stringify(DYNAMIC_CONFIG);
}
