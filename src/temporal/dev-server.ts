// The embedded Temporal dev server that `npm start` runs when no Temporal address is configured: persistent
// (SQLite file in the data folder, so a second start finds the earlier upgrades), with the Web UI and our
// search attributes. It runs as a child process in its own process group so that we can stop all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from '../shared/search-attributes';

export type DevServerOptions = {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace?: string;
  log?: (msg: string) => void;
};

export type RunningDevServer = {
  address: string;
  uiUrl: string;
  dbFile: string;
  process: ChildProcess;
  stop(): Promise<void>;
};

export function devServerArgs(o: DevServerOptions, dbFile: string): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--namespace',
    o.namespace ?? 'default',
    '--db-filename',
    dbFile,
    '--log-format',
    'json',
    '--log-level',
    'warn',
    ...devServerSearchAttributeArgs(),
  ];
}

export async function startDevServer(o: DevServerOptions): Promise<RunningDevServer> {
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'temporal.sqlite');
  const address = `127.0.0.1:${o.port}`;
  const child = spawn(o.cliPath, devServerArgs(o, dbFile), {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // own process group: stop() signals the whole group
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  const exitPromise = new Promise<void>((res) =>
    child.once('exit', (code) => {
      exited = code;
      res();
    }),
  );

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`temporal dev server exited with code ${exited} before it was ready:\n${stderr}`);
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.healthService.check({});
      } finally {
        await conn.close();
      }
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`temporal dev server did not answer on ${address} within 60 s: ${String(err)}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const stop = async () => {
    if (exited !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5000);
    await exitPromise;
    clearTimeout(timer);
  };
  return { address, uiUrl: `http://localhost:${o.uiPort}`, dbFile, process: child, stop };
}
