// The credit memo sync benchmark (issue 5): syncNetSuiteCreditMemos through a real worker on a real Temporal dev
// server, against the NetSuite emulator (concurrency limit 5, 50 ms latency: a standard account) and the Zuora
// emulator (100 ms latency, limit 40). Two NetSuite writes per credit memo make the ceiling 5 / (2 × 0.05 s) =
// 50 memos/s; Zuora look-ups and creates are batched so that Zuora is not the limit.
//   npm run bench:sync                       # N = 5,000
//   npm run bench:sync -- --n 1000
// The worker runs as its own process (node dist/src/main.js, wired by src/wiring.ts exactly as in production), so
// the emulators' CPU does not count against it. Last line: ratio_to_ceiling=<number>.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { mirrorNetSuiteIntoZuora } from '../src/emulators/linked-tenants';
import { startNetSuiteEmulator } from '../src/emulators/netsuite/server';
import { startZuoraEmulator } from '../src/emulators/zuora/server';
import { loadTemporalBinaries, PROJECT_ROOT } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { syncNetSuiteCreditMemos } from '../src/workflows/sync-netsuite-credit-memos';
import { freePortNumber } from './ports';

const NETSUITE_LIMIT = 5;
const NETSUITE_LATENCY_MS = 50;
const ZUORA_LIMIT = 40;
const ZUORA_LATENCY_MS = 100;
const WRITES_PER_MEMO = 2;
const CEILING = NETSUITE_LIMIT / (WRITES_PER_MEMO * (NETSUITE_LATENCY_MS / 1000));
const TENANT = 'bench';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'main.js')], {
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

async function main(): Promise<void> {
  const n = arg('n', 5_000);
  let lastLine = 'ratio_to_ceiling=0';
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const server = await startDevServer({
    cliPath: loadTemporalBinaries().cli.path!,
    dataDir,
    port: await freePortNumber(),
    uiPort: await freePortNumber(),
  });
  const netsuiteEmulator = await startNetSuiteEmulator({
    limits: { concurrencyLimit: NETSUITE_LIMIT, latencyMs: NETSUITE_LATENCY_MS },
  });
  const zuoraEmulator = await startZuoraEmulator({
    limits: { concurrencyLimit: ZUORA_LIMIT, latencyMs: ZUORA_LATENCY_MS },
  });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    const seeded = netsuiteEmulator.admin.seed({ standardCreditMemos: n, seed: 5 });
    const linked = mirrorNetSuiteIntoZuora(netsuiteEmulator, zuoraEmulator.state);
    netsuiteEmulator.admin.resetCounters();

    const taskQueue = `bench-sync-${Date.now()}`;
    const settings = zuoraEmulator.admin.config();
    const c = netsuiteEmulator.credentials;
    const worker = await startWorker({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: server.address,
      TASK_QUEUE: taskQueue,
      TENANT_ID: TENANT,
      DATA_DIR: join(dataDir, 'worker'),
      LOG_LEVEL: 'WARN',
      ZUORA_BASE_URL: zuoraEmulator.url,
      ZUORA_CLIENT_ID: settings.clientId,
      ZUORA_CLIENT_SECRET: settings.clientSecret,
      ZUORA_CONCURRENCY_LIMIT: String(ZUORA_LIMIT),
      NETSUITE_ACCOUNT_ID: c.accountId,
      NETSUITE_REST_BASE_URL: c.restBaseUrl,
      NETSUITE_CONSUMER_KEY: c.consumerKey,
      NETSUITE_CONSUMER_SECRET: c.consumerSecret,
      NETSUITE_TOKEN_ID: c.tokenId,
      NETSUITE_TOKEN_SECRET: c.tokenSecret,
      NETSUITE_CONCURRENCY_LIMIT: String(NETSUITE_LIMIT),
    });
    try {
      const workflowId = `bench-sync-${n}-${Date.now()}`;
      const started = Date.now();
      const result = await client.workflow.execute(syncNetSuiteCreditMemos, {
        taskQueue,
        workflowId,
        args: [{ tenantId: TENANT, standard: true }],
      });
      const seconds = (Date.now() - started) / 1000;
      const history = (await client.workflow.getHandle(workflowId).describe()).historyLength;
      const ns = netsuiteEmulator.admin.counters();
      const z = zuoraEmulator.admin.counters();
      const duplicates = Object.values(z.adjustmentsPerReferenceId).filter((c) => c > 1).length;
      const rate = result.synced / seconds;
      console.log(
        `N=${n} (seeded ${seeded.standardCreditMemos?.count ?? 0} memos, ${linked.invoices} Zuora invoices mirrored)`,
      );
      console.log(
        `netsuite: limit=${NETSUITE_LIMIT} latency_ms=${NETSUITE_LATENCY_MS} requests=${ns.requests} patches=${ns.patches} suiteql=${ns.suiteqlQueries} max_concurrent=${ns.maxConcurrent} throttled_429=${ns.throttled}`,
      );
      console.log(
        `zuora: limit=${ZUORA_LIMIT} latency_ms=${ZUORA_LATENCY_MS} requests=${z.limits.requests} action_create=${z.limits.byRoute['POST /v1/action/create'] ?? '?'} zoql=${z.limits.byRoute['POST /v1/action/query'] ?? '?'} max_concurrent=${z.limits.maxConcurrentObserved} throttled_429=${z.limits.sent429}`,
      );
      console.log(
        `result: examined=${result.examined} created=${result.created} synced=${result.synced} failed=${result.failed} duplicate_reference_ids=${duplicates} history_events=${history}`,
      );
      console.log(`seconds=${seconds.toFixed(1)} (whole workflow: visibility look-up, scan, writes)`);
      console.log(
        `ceiling_memos_per_s=${CEILING} (${NETSUITE_LIMIT} / (${WRITES_PER_MEMO} × ${NETSUITE_LATENCY_MS / 1000} s))`,
      );
      console.log(`memos_per_s=${rate.toFixed(1)}`);
      lastLine = `ratio_to_ceiling=${(rate / CEILING).toFixed(3)}`;
    } finally {
      worker.kill('SIGTERM');
      await new Promise((resolve) => worker.once('exit', resolve));
    }
  } finally {
    await connection.close();
    await Promise.all([netsuiteEmulator.stop(), zuoraEmulator.stop()]);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(lastLine); // last, after the worker and servers have stopped (and said whatever they say)
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
