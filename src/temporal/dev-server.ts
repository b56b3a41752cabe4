// The embedded Temporal dev server that `npm start` runs when no Temporal address is configured: persistent
// (SQLite file in the data folder, so a second start finds the earlier upgrades), with the Web UI and our
// search attributes. It runs as a child process in its own process group so that we can stop all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    // Workflow Pause (`temporal workflow pause`, experimental in server 1.32) is off unless enabled: docs/web-ui.md §3.
    '--dynamic-config-value',
    'frontend.WorkflowPauseEnabled=true',
    ...devServerSearchAttributeArgs(),
  ];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A dev server left running by an earlier `npm start` that was killed outright (SIGKILL, OOM, a closed laptop lid)
 * still holds the port and the SQLite file. Stop it, so this start can open the same file and carry on.
 */
async function reclaimOrphan(pidFile: string, dbFile: string, log: (m: string) => void): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return; // not Linux, or gone: nothing we can safely check
  }
  if (!cmdline.includes('start-dev') || !cmdline.includes(dbFile)) return; // not ours: leave it alone
  log(`stopping the dev server (pid ${pid}) left running by an earlier start`);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    process.kill(pid, 'SIGTERM');
  }
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

export async function startDevServer(o: DevServerOptions): Promise<RunningDevServer> {
  const dataDir = resolve(o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'temporal.sqlite');
  const pidFile = join(dataDir, 'temporal-dev-server.pid');
  await reclaimOrphan(pidFile, dbFile, o.log ?? ((m) => process.stderr.write(m + '\n')));
  const address = `127.0.0.1:${o.port}`;
  const child = spawn(o.cliPath, devServerArgs(o, dbFile), {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true, // own process group: stop() signals the whole group
  });
  if (child.pid !== undefined) writeFileSync(pidFile, String(child.pid));
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
    rmSync(pidFile, { force: true });
  };
  return { address, uiUrl: `http://localhost:${o.uiPort}`, dbFile, process: child, stop };
}
