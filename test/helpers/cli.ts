// The operators' CLI as a person runs it: `node dist/src/client/cli.js …` (built by `npm test`'s pretest) in its own
// process, its exit code and what it printed on stdout and stderr.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { collectOutput } from './process';
import { captureChildOutput } from './scan-sink';

export const CLI = join(PROJECT_ROOT, 'dist', 'src', 'client', 'cli.js');

export type CliRun = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  captureChildOutput(child, `is-upgrade-cli-${process.pid}`);
  return collectOutput(child);
}

/** Runs the CLI, and fails the test with everything it printed unless it exits with `code`. */
export async function cliExpect(args: string[], env: NodeJS.ProcessEnv, code = 0): Promise<CliRun> {
  const r = await runCli(args, env);
  if (r.code !== code) {
    throw new Error(
      `is-upgrade ${args.join(' ')} exited ${r.code}, expected ${code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`,
    );
  }
  return r;
}

/** Runs the CLI again and again until what it prints satisfies `ready` (the workflow moves on by itself). */
export async function cliUntil<T>(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: (r: CliRun) => T | undefined | false,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: CliRun | undefined;
  for (;;) {
    last = await runCli(args, env);
    const value = last.code === 0 ? ready(last) : undefined;
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last run exited ${last.code}:\n${last.stdout}\n${last.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
