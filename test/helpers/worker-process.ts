// The worker as its own process (`node dist/src/main.js`, built by `npm test`'s pretest), pointed at the run's dev
// server and at in-process emulators, so a test can SIGKILL it mid-activity and start it again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { spawnProcess, type Spawned } from './process';
import type { Stack } from './stack';

export function workerEnv(stack: Stack, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const z = stack.zuoraEmulator.admin.config();
  const n = stack.netsuiteEmulator.credentials;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    TASK_QUEUE: taskQueue,
    TENANT_ID: 'demo',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'is-worker-')),
    LOG_LEVEL: 'WARN',
    ZUORA_BASE_URL: stack.zuoraEmulator.url,
    ZUORA_CLIENT_ID: z.clientId,
    ZUORA_CLIENT_SECRET: z.clientSecret,
    NETSUITE_ACCOUNT_ID: n.accountId,
    NETSUITE_REST_BASE_URL: n.restBaseUrl,
    NETSUITE_CONSUMER_KEY: n.consumerKey,
    NETSUITE_CONSUMER_SECRET: n.consumerSecret,
    NETSUITE_TOKEN_ID: n.tokenId,
    NETSUITE_TOKEN_SECRET: n.tokenSecret,
    ...extra,
  };
}

export async function startWorkerProcess(env: NodeJS.ProcessEnv): Promise<Spawned> {
  const p = spawnProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'main.js')], env);
  await p.waitFor(/worker is running/);
  return p;
}
