// `npm start` and `npm run worker` as a supervisor (systemd, Docker, Kubernetes) runs them: npm in the project folder,
// stopped by a SIGTERM sent to npm alone, not to its process group (issue 15, point 4).
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { spawnProcess, type Spawned } from './process';

/** `npm start` / `npm run worker`; without `prestart`, whose build `npm test` has done already. */
export function npmScript(script: 'start' | 'worker', env: NodeJS.ProcessEnv): Spawned {
  const args = script === 'start' ? ['start'] : ['run', script];
  return spawnProcess(
    'npm',
    [...args, '--ignore-scripts'],
    { ...env, npm_config_update_notifier: 'false' },
    PROJECT_ROOT,
  );
}

/** The processes below `pid` right now, at any depth. */
export function descendants(pid: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGTERM to npm alone; its exit once it has exited. Fails when npm still runs 10 s later: the bound issue 15 sets
 * for a supervisor's stop (a stop that hangs is the failure, not a slow one).
 */
export async function stopBySigterm(npm: Spawned): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  npm.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`npm still runs 10 s after SIGTERM:\n${npm.output()}`)), 10_000);
  });
  try {
    return await Promise.race([npm.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** After a failed test: SIGKILL npm and whatever it started that still runs (a stop that failed leaves orphans). */
export function killLeftovers(npm: Spawned, known: number[] = []): void {
  const pids = npm.child.pid === undefined ? known : [...descendants(npm.child.pid), ...known];
  for (const pid of [npm.child.pid, ...pids]) {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
}
