// The worker as its own process (`node dist/src/main.js`, built by `npm test`'s pretest), pointed at the run's dev
// server and at in-process emulators, so a test can SIGKILL it mid-activity and start it again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { spawnProcess, type Spawned } from './process';
import type { Stack } from './stack';
import { emulatorWorkerEnv } from '../../bench/harness';

export function workerEnv(stack: Stack, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return emulatorWorkerEnv({
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue,
    dataDir: mkdtempSync(join(tmpdir(), 'is-worker-')),
    zuora: stack.zuoraEmulator,
    netsuite: stack.netsuiteEmulator,
    extra,
  });
}

export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<Spawned> {
  const p = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'main.js')], env);
  await p.waitFor(/worker is running/);
  return p;
}
