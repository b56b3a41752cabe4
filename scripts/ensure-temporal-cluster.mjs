#!/usr/bin/env node
// What `npm run test:cluster` needs besides the project (issue 15, point 3): a production Temporal server and its
// schema tool, built from source at a pinned version, the PostgreSQL schema that version ships, and PostgreSQL.
//   - `go install go.temporal.io/server/cmd/server@<pinned>` and `.../cmd/tools/sql` (temporal-sql-tool) into
//     .temporal/cluster/bin (git-ignored): about 5-12 minutes the first time on 2 cores, then a stat call.
//   - schema/postgresql/v12 copied from the module into .temporal/cluster/schema, so later runs need no Go at all.
//   - PostgreSQL's initdb and postgres from the PATH or /usr/lib/postgresql/<n>/bin; when missing, installed from
//     Debian's packages (apt-get, as root), as CI machines may not have it.
// The answer goes to .temporal/cluster/paths.json (read by test/cluster/cluster.ts). Prints build_seconds.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { isExecutable, PROJECT_ROOT as root, scriptLogger } from './script-utils.mjs';

// Pinned: what the cluster suite is run against. Change them together with a green `npm run test:cluster`.
export const PINNED_SERVER = { module: 'go.temporal.io/server', version: 'v1.32.2', goToolchain: 'go1.27.3' };

const home = join(root, '.temporal', 'cluster');
const binDir = join(home, 'bin');
const schemaDir = join(home, 'schema');
const pathsFile = join(home, 'paths.json');
const stampFile = join(binDir, 'versions.txt');
const stamp = `${PINNED_SERVER.module}@${PINNED_SERVER.version}`;
const log = scriptLogger('ensure-temporal-cluster');

const BINARIES = [
  { pkg: 'cmd/server', built: 'server', name: 'temporal-server' },
  { pkg: 'cmd/tools/sql', built: 'sql', name: 'temporal-sql-tool' },
];

function run(cmd, args, env = {}) {
  return spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function haveGo() {
  return run('go', ['version']).status === 0;
}

/** `go install` both binaries; the pinned toolchain first, then the local go (the module needs a recent one). */
function buildServer() {
  if (!haveGo()) throw new Error('no `go` on the PATH: install Go (https://go.dev/dl/) to build the Temporal server');
  const tmpBin = join(home, 'bin.tmp');
  mkdirSync(tmpBin, { recursive: true });
  const pkgs = BINARIES.map((b) => `${PINNED_SERVER.module}/${b.pkg}@${PINNED_SERVER.version}`);
  // Others may share the CPU: build at the lowest priority when `nice` is there.
  const niced = run('nice', ['-n', '19', 'true']).status === 0;
  let lastError = '';
  for (const toolchain of [process.env.TEMPORAL_CLUSTER_GOTOOLCHAIN ?? PINNED_SERVER.goToolchain, 'local']) {
    log(`building ${pkgs.join(' ')} with GOTOOLCHAIN=${toolchain} (several minutes the first time)`);
    const args = ['install', ...pkgs];
    const r = spawnSync(niced ? 'nice' : 'go', niced ? ['-n', '19', 'go', ...args] : args, {
      env: { ...process.env, GOBIN: tmpBin, CGO_ENABLED: '0', GOTOOLCHAIN: toolchain },
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status === 0) {
      for (const b of BINARIES) renameSync(join(tmpBin, b.built), join(binDir, b.name));
      rmSync(tmpBin, { recursive: true, force: true });
      writeFileSync(stampFile, `${stamp} GOTOOLCHAIN=${toolchain}\n`);
      return;
    }
    lastError = (r.stderr ?? '').split('\n').slice(-20).join('\n');
    log(`go install with GOTOOLCHAIN=${toolchain} failed (exit ${r.status}):\n${lastError}`);
  }
  throw new Error(`could not build ${stamp}:\n${lastError}`);
}

function binariesCached() {
  return (
    BINARIES.every((b) => isExecutable(join(binDir, b.name))) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').startsWith(`${stamp} `)
  );
}

/** The module's own schema and sample configs, from the Go module cache (downloaded if needed). */
function copySchema() {
  const marker = join(schemaDir, 'version.txt');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === stamp) return;
  const r = run('go', ['mod', 'download', '-json', stamp], {
    GOTOOLCHAIN: process.env.TEMPORAL_CLUSTER_GOTOOLCHAIN ?? PINNED_SERVER.goToolchain,
    GOFLAGS: '-mod=mod',
  });
  if (r.status !== 0) throw new Error(`go mod download ${stamp} failed:\n${r.stderr}${r.stdout}`);
  const dir = JSON.parse(r.stdout).Dir;
  mkdirSync(schemaDir, { recursive: true });
  cpSync(join(dir, 'schema', 'postgresql', 'v12'), join(schemaDir, 'postgresql', 'v12'), { recursive: true });
  cpSync(join(dir, 'config', 'development-postgres12.yaml'), join(schemaDir, 'development-postgres12.yaml'));
  // The module cache is read-only; our copy must be removable with the rest of .temporal.
  const writable = (p) => {
    chmodSync(p, 0o755);
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) writable(join(p, e.name));
      else chmodSync(join(p, e.name), 0o644);
    }
  };
  writable(schemaDir);
  writeFileSync(marker, `${stamp}\n`);
}

/** A folder holding initdb and postgres: PATH first, then Debian's /usr/lib/postgresql/<highest>/bin. */
function findPostgres() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  return dirs.find((d) => isExecutable(join(d, 'initdb')) && isExecutable(join(d, 'postgres')));
}

function installPostgres() {
  if (process.getuid?.() !== 0 || run('apt-get', ['--version']).status !== 0) {
    throw new Error(
      'PostgreSQL (initdb, postgres) not found and cannot be installed here (needs apt-get as root): ' +
        'install PostgreSQL 12 or later, or put its bin folder on the PATH',
    );
  }
  log('PostgreSQL not found: installing it from Debian packages (apt-get install postgresql)');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-q'], env).status !== 0) throw new Error('apt-get update failed');
  // postgresql-15 on Debian 12; the `postgresql` meta package on other releases.
  for (const pkg of ['postgresql-15', 'postgresql']) {
    const r = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], env);
    if (r.status === 0) return;
    log(`apt-get install ${pkg} failed: ${r.stderr.split('\n').slice(-5).join('\n')}`);
  }
  throw new Error('apt-get could not install PostgreSQL');
}

/** postgres refuses to run as root: as root, the data folder belongs to (and the server runs as) this user. */
function postgresUser() {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const uid = run('id', ['-u', name]);
    const gid = run('id', ['-g', name]);
    if (uid.status === 0 && gid.status === 0) {
      return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new Error('running as root, but there is neither a `postgres` nor a `nobody` user to run PostgreSQL as');
}

const t0 = Date.now();
mkdirSync(binDir, { recursive: true });
const cached = binariesCached();
if (!cached) buildServer();
copySchema();
let pgBin = findPostgres();
if (!pgBin) {
  installPostgres();
  pgBin = findPostgres();
  if (!pgBin) throw new Error('PostgreSQL was installed but initdb/postgres are still not found');
}
const paths = {
  serverVersion: PINNED_SERVER.version,
  server: join(binDir, 'temporal-server'),
  sqlTool: join(binDir, 'temporal-sql-tool'),
  schemaDir: join(schemaDir, 'postgresql', 'v12'),
  sampleConfig: join(schemaDir, 'development-postgres12.yaml'),
  postgresBin: pgBin,
  postgresUser: postgresUser(),
};
writeFileSync(pathsFile, JSON.stringify(paths, null, 2) + '\n');
const seconds = ((Date.now() - t0) / 1000).toFixed(1);
log(`temporal server ${PINNED_SERVER.version}: ${paths.server} (${cached ? 'cached' : 'built'}); postgres: ${pgBin}`);
// Figures for the note: how long this step took, and whether it built.
process.stdout.write(`cluster_binaries=${cached ? 'cached' : 'built'} cluster_ensure_seconds=${seconds}\n`);
