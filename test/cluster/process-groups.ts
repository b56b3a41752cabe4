// The processes the cluster suite starts, each in its own process group so that one signal reaches all of it; and
// what cleans them up when the run itself is killed before it can (test/cluster/cluster.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export type Group = { name: string; child: ChildProcess; exited: Promise<void>; output: () => string };

/** A detached child (its own process group, so a stop reaches everything it started), its output to `logFile`. */
export function startGroup(
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

export function reclaimOrphans(log: (line: string) => void): void {
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

export function alive(g: Group): boolean {
  return g.child.exitCode === null && g.child.signalCode === null;
}

/** `signal` to the whole group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopGroup(g: Group, signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
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

export async function until<T>(
  what: string,
  g: Group,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
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

export function runOrThrow(what: string, cmd: string, args: string[], o: Parameters<typeof spawnSync>[2] = {}): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...o });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${String(r.stderr)}${String(r.stdout)}`);
}

/** Writes the process groups still alive to the record the reaper and the next run's reclaimOrphans read. */
export function recordGroups(groups: Group[]): void {
  writeFileSync(RUNNING_FILE, JSON.stringify(groups.filter(alive).flatMap((g) => g.child.pid ?? [])));
}

/**
 * Jest killed or interrupted before stop(): its `process` is a copy whose signal and exit handlers never fire, so a
 * detached shell holds a pipe from us and, when it closes (we are gone), kills every recorded group and removes the
 * data folder. `disarm()` (after a clean stop) empties the record first, so then it finds nothing to do.
 */
export function startReaper(root: string, address: string): { disarm(): void } {
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
  return {
    disarm: () => {
      rmSync(RUNNING_FILE, { force: true });
      reaper.stdin?.end();
    },
  };
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
