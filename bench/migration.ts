// The migration benchmark (issue 4): migrateCreditMemos on a real Temporal dev server, against the Zuora emulator
// with per-request latency L and tenant concurrency limit 40, budget C = 32. Ceiling = C × 50 / L memos/s.
//   npm run bench:migration                     # N = 200,000, L = 500 ms
//   npm run bench:migration -- --n 20000 --latency 100
//   npm run bench:migration -- --rss            # worker peak RSS at N = 100,000 and N = 1,000,000 (L = 50 ms)
//   npm run bench:migration -- --n 50000 --worker-cpu-prof /tmp/prof   # also a V8 CPU profile of the worker
//   npm run bench:migration -- --timeline       # also each activity's scheduled / started / closed times
// The worker runs as its own process (node dist/src/main.js) so its peak RSS is its own. Last line:
// ratio_to_ceiling=<number> (or rss_ratio=<number> with --rss).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../emulators/zuora/server';
import { startNetSuiteEmulator } from '../emulators/netsuite/server';
import { RequestGate } from '../src/http/request-gate';
import { migrateCreditMemos } from '../src/workflows/migrate-credit-memos';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { ZuoraClient } from '../src/zuora/client';
import { emulatorWorkerEnv, freePortNumber, numberArg, startWorkerProcess } from './harness';

const TENANT_LIMIT = 40;
const BUDGET = 32;
const BULK = 50;
const workerCpuProfDir = stringArg('worker-cpu-prof');
const timeline = process.argv.includes('--timeline');

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

type Run = {
  n: number;
  seconds: number;
  memosPerSecond: number;
  historyEvents: number[];
  peakRssMb: number;
  /** Seconds from scheduled to closed, summed per activity type. */
  activitySeconds: Record<string, number>;
  /** Worker process CPU (user + system) during the workflow, per 1,000 memos updated. */
  workerCpuMsPer1000: number;
  verified: boolean;
};

/** CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat (fields 14 and 15, in ticks). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

async function runOnce(o: {
  client: Client;
  address: string;
  zuora: RunningZuoraEmulator;
  netsuite: Awaited<ReturnType<typeof startNetSuiteEmulator>>;
  n: number;
  latencyMs: number;
}): Promise<Run> {
  const { zuora, netsuite } = o;
  zuora.admin.reset();
  zuora.admin.seed({ migratedCreditMemos: o.n, seed: 7 });
  zuora.admin.configure({ latencyMs: o.latencyMs, concurrencyLimit: TENANT_LIMIT });
  const taskQueue = `bench-migration-${Date.now()}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-worker-'));
  const worker = await startWorkerProcess(
    emulatorWorkerEnv({
      temporalAddress: o.address,
      taskQueue,
      dataDir,
      zuora,
      netsuite,
      extra: {
        ZUORA_CONCURRENCY_LIMIT: String(TENANT_LIMIT),
      },
    }),
    // --worker-cpu-prof <dir>: a V8 CPU profile of the worker (written when it exits), to see what a memo costs.
    workerCpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${workerCpuProfDir}`] : [],
  );
  try {
    const workflowId = `bench-migrate-${o.n}-${Date.now()}`;
    const started = Date.now();
    const cpuBefore = cpuMs(worker.pid!);
    const result = await o.client.workflow.execute(migrateCreditMemos, {
      taskQueue,
      workflowId,
      args: [{ tenantId: 'demo', tenantConcurrencyLimit: TENANT_LIMIT, concurrencyBudget: BUDGET }],
    });
    const seconds = (Date.now() - started) / 1000;
    const workerCpu = cpuMs(worker.pid!) - cpuBefore;
    const historyEvents: number[] = [];
    const activitySeconds: Record<string, number> = {};
    for await (const execution of o.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const handle = o.client.workflow.getHandle(workflowId, execution.runId);
      historyEvents.push((await handle.describe()).historyLength);
      // Where the time goes: scheduled → closed of each activity, summed per type (from the recorded history).
      const scheduled = new Map<string, { type: string; at: number; startedAt?: number }>();
      const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
        Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
      for (const e of (await handle.fetchHistory()).events ?? []) {
        const a = e.activityTaskScheduledEventAttributes;
        if (a) scheduled.set(String(e.eventId), { type: a.activityType?.name ?? '?', at: ms(e.eventTime) });
        const st = e.activityTaskStartedEventAttributes;
        const sched = st && scheduled.get(String(st.scheduledEventId));
        if (sched) sched.startedAt = ms(e.eventTime);
        const closed =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes;
        const s = closed && scheduled.get(String(closed.scheduledEventId));
        if (s) activitySeconds[s.type] = (activitySeconds[s.type] ?? 0) + (ms(e.eventTime) - s.at) / 1000;
        // --timeline: each activity's scheduled, started and closed, in seconds from the workflow's start.
        if (s && timeline) {
          const t = (x: number | undefined) => (x === undefined ? '?' : ((x - started) / 1000).toFixed(2));
          console.log(`timeline ${s.type} scheduled=${t(s.at)} started=${t(s.startedAt)} closed=${t(ms(e.eventTime))}`);
        }
      }
    }
    return {
      n: o.n,
      seconds,
      memosPerSecond: result.counters.updated / seconds,
      historyEvents,
      activitySeconds,
      peakRssMb: peakRssMb(worker.pid!),
      workerCpuMsPer1000: (workerCpu * 1000) / Math.max(1, result.counters.updated),
      verified: result.verified,
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The manual way: one memo per request, one after another, on a sample. */
async function sequentialBaseline(zuora: RunningZuoraEmulator, sample: number): Promise<number> {
  const settings = zuora.admin.config();
  const client = new ZuoraClient({
    baseUrl: zuora.url,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    gate: new RequestGate({ maxInFlight: 1 }),
  });
  const ids = [...zuora.state.creditMemos.keys()].slice(0, sample);
  await client.getCreditMemo(ids[0]!); // token outside the measurement
  const started = Date.now();
  for (const id of ids) await client.updateCreditMemo(id, { transferredToAccounting: 'Yes' });
  return ids.length / ((Date.now() - started) / 1000);
}

async function main(): Promise<void> {
  const rssMode = process.argv.includes('--rss');
  const binaries = loadTemporalBinaries();
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-temporal-'));
  const server = await startDevServer({
    cliPath: binaries.cli.path!,
    dataDir,
    port: await freePortNumber(),
    uiPort: await freePortNumber(),
  });
  const zuora = await startZuoraEmulator({});
  const netsuite = await startNetSuiteEmulator({});
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  try {
    if (rssMode) {
      const latencyMs = numberArg('latency', 50);
      const small = await runOnce({ client, address: server.address, zuora, netsuite, n: 100_000, latencyMs });
      const large = await runOnce({ client, address: server.address, zuora, netsuite, n: 1_000_000, latencyMs });
      for (const r of [small, large]) {
        console.log(
          `N=${r.n} seconds=${r.seconds.toFixed(1)} memos_per_s=${r.memosPerSecond.toFixed(0)} worker_peak_rss_mb=${r.peakRssMb} history_events_per_run=${r.historyEvents.join(',')} verified=${r.verified}`,
        );
      }
      console.log(`rss_ratio=${(large.peakRssMb / small.peakRssMb).toFixed(3)}`);
      return;
    }
    const n = numberArg('n', 200_000);
    const latencyMs = numberArg('latency', 500);
    const ceiling = (BUDGET * BULK) / (latencyMs / 1000);
    const r = await runOnce({ client, address: server.address, zuora, netsuite, n, latencyMs });
    const baselineSample = numberArg('baseline-sample', 20);
    const baseline = await sequentialBaseline(zuora, baselineSample);
    console.log(`N=${n} latency_ms=${latencyMs} tenant_limit=${TENANT_LIMIT} budget=${BUDGET}`);
    console.log(`ceiling_memos_per_s=${ceiling.toFixed(0)}`);
    console.log(`seconds=${r.seconds.toFixed(1)} (whole workflow: queries, updates, verification)`);
    console.log(`memos_per_s=${r.memosPerSecond.toFixed(0)}`);
    console.log(
      `sequential_baseline_memos_per_s=${baseline.toFixed(2)} (one memo per request, sample of ${baselineSample})`,
    );
    console.log(`sequential_baseline_ratio_to_ceiling=${(baseline / ceiling).toFixed(4)}`);
    console.log(`speedup_vs_sequential=${(r.memosPerSecond / baseline).toFixed(0)}x`);
    console.log(`history_events_per_run=${r.historyEvents.join(',')}`);
    console.log(`worker_peak_rss_mb=${r.peakRssMb}`);
    console.log(`worker_cpu_ms_per_1000_memos=${r.workerCpuMsPer1000.toFixed(1)}`);
    console.log(
      `activity_seconds=${Object.entries(r.activitySeconds)
        .map(([t, sec]) => `${t}:${sec.toFixed(1)}`)
        .join(',')}`,
    );
    console.log(`verified=${r.verified}`);
    console.log(`ratio_to_ceiling=${(r.memosPerSecond / ceiling).toFixed(3)}`);
  } finally {
    await connection.close();
    await zuora.stop();
    await netsuite.stop();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
