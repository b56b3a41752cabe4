// The credit memo sync benchmark (issue 5): syncNetSuiteCreditMemos through a real worker on a real Temporal dev
// server, against the NetSuite emulator (concurrency limit 5, 50 ms latency: a standard account) and the Zuora
// emulator (100 ms latency, limit 40). Two NetSuite writes per credit memo make the ceiling 5 / (2 × 0.05 s) =
// 50 memos/s; Zuora look-ups and creates are batched so that Zuora is not the limit.
//   npm run bench:sync                       # N = 5,000
//   npm run bench:sync -- --n 1000
// The worker runs as its own process (node dist/src/main.js, wired by src/wiring.ts exactly as in production), so
// the emulators' CPU does not count against it. Last line: ratio_to_ceiling=<number>.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { mirrorNetSuiteIntoZuora } from '../emulators/linked-tenants';
import { startNetSuiteEmulator } from '../emulators/netsuite/server';
import { startZuoraEmulator } from '../emulators/zuora/server';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { syncNetSuiteCreditMemos } from '../src/workflows/sync-netsuite-credit-memos';
import { emulatorWorkerEnv, freePortNumber, numberArg, startWorkerProcess } from './harness';

const NETSUITE_LIMIT = 5;
const NETSUITE_LATENCY_MS = 50;
const ZUORA_LIMIT = 40;
const ZUORA_LATENCY_MS = 100;
const WRITES_PER_MEMO = 2;
const CEILING = NETSUITE_LIMIT / (WRITES_PER_MEMO * (NETSUITE_LATENCY_MS / 1000));
const TENANT = 'bench';

async function main(): Promise<void> {
  const n = numberArg('n', 5_000);
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
    const worker = await startWorkerProcess(
      emulatorWorkerEnv({
        temporalAddress: server.address,
        taskQueue,
        dataDir: join(dataDir, 'worker'),
        zuora: zuoraEmulator,
        netsuite: netsuiteEmulator,
        tenantId: TENANT,
        extra: { ZUORA_CONCURRENCY_LIMIT: String(ZUORA_LIMIT), NETSUITE_CONCURRENCY_LIMIT: String(NETSUITE_LIMIT) },
      }),
    );
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
