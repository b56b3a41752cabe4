// What the benchmarks (and the tests that kill workers) share: the worker as its own process
// (`node dist/src/main.js`) pointed at emulators, and small argument helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import type { RunningZuoraEmulator } from '../emulators/zuora/server';
import { PROJECT_ROOT } from '../src/temporal/binaries';

/** `--name N` from the command line, or the fallback. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

/** A TCP port free right now on 127.0.0.1. */
export function freePortNumber(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** The worker's configuration (the same env vars a user sets) for emulated Zuora and NetSuite. */
export function emulatorWorkerEnv(o: {
  temporalAddress: string;
  taskQueue: string;
  dataDir: string;
  zuora: RunningZuoraEmulator;
  netsuite: RunningNetSuiteEmulator;
  tenantId?: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const z = o.zuora.admin.config();
  const n = o.netsuite.credentials;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: o.temporalAddress,
    TASK_QUEUE: o.taskQueue,
    TENANT_ID: o.tenantId ?? 'demo',
    DATA_DIR: o.dataDir,
    LOG_LEVEL: 'WARN',
    ZUORA_BASE_URL: o.zuora.url,
    ZUORA_CLIENT_ID: z.clientId,
    ZUORA_CLIENT_SECRET: z.clientSecret,
    NETSUITE_ACCOUNT_ID: n.accountId,
    NETSUITE_REST_BASE_URL: n.restBaseUrl,
    NETSUITE_CONSUMER_KEY: n.consumerKey,
    NETSUITE_CONSUMER_SECRET: n.consumerSecret,
    NETSUITE_TOKEN_ID: n.tokenId,
    NETSUITE_TOKEN_SECRET: n.tokenSecret,
    ...o.extra,
  };
}

/** Starts `node dist/src/main.js` and resolves once its worker runs. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(PROJECT_ROOT, 'dist', 'src', 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker is running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out}`)));
  });
  return child;
}
