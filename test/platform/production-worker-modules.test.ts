// The emulators are the demo's, beside the product (emulators/), loaded only when config.emulators names a system
// (issue 13, point 5): a production worker (real Zuora and NetSuite configured) loads no emulator module and not
// sql.js, so an install without optional dependencies runs it. The probe lists every module the built entry point
// required from start to exit; the demo configuration is the control that the probe sees them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from '../helpers/ports';
import { spawnProcess, type Spawned } from '../helpers/process';

const main = join(PROJECT_ROOT, 'dist', 'src', 'main.js');

type Run = { p: Spawned; loadedModules: () => string[] };

/**
 * `node dist/src/main.js` on the run's Temporal server with `settings`. `missing`: packages it is started as if
 * `npm prune --omit=optional` had removed them (sql.js; @swc/core-* is swc's native compiler, optional in its own
 * package.json) — requiring one fails as a removed package does.
 */
async function startMain(settings: Record<string, string>, missing: string[] = []): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'is-modules-'));
  const list = join(dir, 'modules.json');
  const probe = join(dir, 'probe.js');
  writeFileSync(
    probe,
    `const Module = require('node:module');
const missing = ${JSON.stringify(missing)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (missing.some((m) => request === m || request.startsWith(m + '/') || (m.endsWith('-') && request.startsWith(m)))) {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolve.call(this, request, ...rest);
};
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, JSON.stringify(Object.keys(require.cache))));
`,
  );
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: join(dir, 'data'),
    LOG_FORMAT: 'pretty',
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    // Its own queue: this worker must not pick up other tests' tasks on the shared server.
    TASK_QUEUE: `modules-${process.pid}-${Date.now()}`,
    ZUORA_EMULATOR_PORT: String(await freePort()),
    NETSUITE_EMULATOR_PORT: String(await freePort()),
    ...settings,
  };
  const p = spawnProcess(process.execPath, ['--require', probe, main], env);
  const loadedModules = () =>
    (JSON.parse(readFileSync(list, 'utf8')) as string[]).map((m) => relative(PROJECT_ROOT, m).split(sep).join('/'));
  return { p, loadedModules };
}

/** Runs it until its banner, stops it (exit 0), and returns the project files and packages it loaded. */
async function modulesLoadedBy(settings: Record<string, string>, missing: string[] = []): Promise<string[]> {
  const { p, loadedModules } = await startMain(settings, missing);
  try {
    await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
  return loadedModules();
}

const isEmulatorModule = (m: string) => /(^|\/)emulators\//.test(m) && !m.startsWith('node_modules/');
const isSqlJs = (m: string) => m.startsWith('node_modules/sql.js/');
const withoutOptional = ['sql.js', '@swc/core-'];

async function realSystems() {
  // Nothing listens there: no workflow runs, and nothing may reach a real system from a test.
  const unreachable = `http://127.0.0.1:${await freePort()}`;
  return {
    zuora: {
      TENANT_ID: 'acme',
      ZUORA_BASE_URL: unreachable,
      ZUORA_CLIENT_ID: '0f6b3a1e-7c2d-4e8f-9a1b-2c3d4e5f6a7b',
      ZUORA_CLIENT_SECRET: 'zuora-client-secret-for-modules-test',
    },
    netsuite: {
      NETSUITE_ACCOUNT_ID: '1234567',
      NETSUITE_REST_BASE_URL: unreachable,
      NETSUITE_CONSUMER_KEY: 'consumer-key',
      NETSUITE_CONSUMER_SECRET: 'consumer-secret-for-modules-test',
      NETSUITE_TOKEN_ID: 'token-id',
      NETSUITE_TOKEN_SECRET: 'token-secret-for-modules-test',
    },
  };
}

test('a worker with the real Zuora and NetSuite configured loads no emulator module and not sql.js', async () => {
  const real = await realSystems();
  const loaded = await modulesLoadedBy({ ...real.zuora, ...real.netsuite });
  expect(loaded).toContain('dist/src/wiring.js');
  expect(loaded.filter((m) => isEmulatorModule(m) || isSqlJs(m))).toEqual([]);
});

test('the demo emulators (EMULATORS=zuora,netsuite) are loaded, with sql.js: the probe sees them', async () => {
  const loaded = await modulesLoadedBy({ EMULATORS: 'zuora,netsuite' });
  expect(loaded.filter(isEmulatorModule)).toEqual(
    expect.arrayContaining(['dist/emulators/zuora/server.js', 'dist/emulators/netsuite/server.js']),
  );
  expect(loaded.some(isSqlJs)).toBe(true);
});

test('without optional dependencies the production worker runs; the NetSuite emulator says it needs sql.js', async () => {
  const real = await realSystems();
  expect(await modulesLoadedBy({ ...real.zuora, ...real.netsuite }, withoutOptional)).toContain('dist/src/wiring.js');

  const { p } = await startMain({ ...real.zuora, EMULATORS: 'netsuite' }, withoutOptional);
  try {
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toMatch(/the NetSuite emulator needs sql\.js, an optional dependency this install left out/);
  } finally {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
  }
});
