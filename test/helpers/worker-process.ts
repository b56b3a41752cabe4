// The worker as its own process (`node dist/src/main.js`, built by `npm test`'s pretest), pointed at the run's dev
// server and at in-process emulators, so a test can SIGKILL it mid-activity and start it again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { spawnProcess, type Spawned } from './process';
import type { Stack } from './stack';
import { emulatorWorkerEnv } from '../../bench/harness';

/**
 * For worker processes a test SIGKILLs. A killed worker never tells the server it is gone, and the server keeps
 * offering the workflow's next task to that worker's sticky queue first: the query or update a test sends right
 * after a kill (and the workflow task it needs) waited out the sticky schedule-to-start timeout, 10 s by default,
 * before the restarted worker could take it. 1 s: the same hand-over to the new worker, 9 s sooner. A live worker
 * always has a poller on its sticky queue, so its tasks still go to its cache; one that waited longer would be
 * replayed from history by whichever worker takes it, with the same outcome.
 */
export const KILLED_WORKER_ENV = { WORKER_STICKY_QUEUE_TIMEOUT_MS: '1000' };

export function workerEnv(stack: Stack, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return emulatorWorkerEnv({
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    taskQueue,
    dataDir: mkdtempSync(join(tmpdir(), 'is-worker-')),
    zuora: stack.zuoraEmulator,
    netsuite: stack.netsuiteEmulator,
    extra: { ...KILLED_WORKER_ENV, ...extra },
  });
}

export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<Spawned> {
  const p = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'main.js')], env);
  await p.waitFor(/worker is running/);
  return p;
}
