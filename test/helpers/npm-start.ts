// `npm start`'s whole stack as a user runs it: `node dist/src/main.js` with free ports and a fresh DATA_DIR — the
// embedded Temporal dev server with its Web UI, both emulators with the demo tenant, and the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from './ports';
import { spawnProcess, type Spawned } from './process';

export type NpmStartStack = {
  process: Spawned;
  dataDir: string;
  temporalAddress: string;
  uiUrl: string;
  zuoraUrl: string;
  netsuiteUrl: string;
  stop(): Promise<void>;
};

export async function startNpmStack(): Promise<NpmStartStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'is-cli-'));
  const ports = {
    TEMPORAL_DEV_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    ZUORA_EMULATOR_PORT: await freePort(),
    NETSUITE_EMULATOR_PORT: await freePort(),
  };
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    LOG_FORMAT: 'pretty',
    LOG_LEVEL: 'WARN',
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  };
  const p = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'main.js')], env);
  try {
    await p.waitFor(/worker is running/);
  } catch (err) {
    if (p.child.exitCode === null) p.child.kill('SIGKILL');
    throw err;
  }
  return {
    process: p,
    dataDir,
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_DEV_PORT}`,
    uiUrl: `http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`,
    zuoraUrl: `http://127.0.0.1:${ports.ZUORA_EMULATOR_PORT}`,
    netsuiteUrl: `http://127.0.0.1:${ports.NETSUITE_EMULATOR_PORT}`,
    async stop() {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An emulator's admin API (`/__admin/...`), as the operator's stand-in for Zuora or NetSuite people. */
export async function emulatorAdmin(baseUrl: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/__admin/${path}`, {
    method: body === undefined && path === 'state' ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${baseUrl}/__admin/${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}
