// The fleet benchmark (issue 15 §2): 3 tenants, each with a credit memo migration and a credit memo sync at once,
// served by worker processes that share each tenant's limits through the tenant budget workflow (docs/tenant-budget.md).
// Each tenant has its own Zuora emulator (concurrency limit 40, latency L) and NetSuite emulator (limit 5, 50 ms).
//   npm run bench:fleet                          # leases off (N = 10,000), then on (N = 120,000); L = 1,000 ms
//   npm run bench:fleet -- --n 20000 --off-n 0   # smaller, no leases-off run (--sync-memos 100, --latency 1000)
// Per tenant, measured by its emulators (not by us): peak requests in flight at Zuora and NetSuite, 429s, and
// throughput ÷ ceiling. Ceiling: the tenant's Zuora budget B = 32 (80% of 40, src/wiring.ts budgetOf) kept busy
// the whole time, i.e. B / L requests per second (B × 50 / L memos/s if every request were a 50-memo bulk update);
// throughput: the Zuora requests the emulator answered (429s excluded) over the window from starting the tenant's
// two workflows to both finishing — queries, polls, syncs and verification included. Last line:
// fleet_ratio_to_ceiling=<the lowest tenant's ratio, leases on>.
//
// The fleet is 3 worker processes on one task queue, each serving all 3 tenants from one tenant registry (§1):
// `processEnvs` says what each process runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { mirrorNetSuiteIntoZuora } from '../emulators/linked-tenants';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../emulators/zuora/server';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { migrateCreditMemos } from '../src/workflows/migrate-credit-memos';
import { syncNetSuiteCreditMemos } from '../src/workflows/sync-netsuite-credit-memos';
import { budgetOf } from '../src/wiring';
import { freePortNumber, numberArg, startWorkerProcess } from './harness';

const ZUORA_LIMIT = 40;
const BUDGET = budgetOf(ZUORA_LIMIT);
const NETSUITE_LIMIT = 5;
const NETSUITE_LATENCY_MS = 50;
/** The fleet: this many worker processes, each serving every tenant. */
const PROCESSES = 3;
const FLEET_QUEUE = 'fleet';
const TENANTS = ['fleet-a', 'fleet-b', 'fleet-c'];
/** --trace 1: the mean in flight of every second and each workflow's activities over time. */
const trace = numberArg('trace', 0) > 0;

type Tenant = { id: string; taskQueue: string; zuora: RunningZuoraEmulator; netsuite: RunningNetSuiteEmulator };

/**
 * What worker process i runs: one fleet of PROCESSES identical workers, each serving all three tenants from one
 * tenant registry (TENANT_REGISTRY, README "Running for many tenants") on the one task queue.
 */
function processEnvs(tenants: Tenant[], o: { address: string; dataDir: string; leases: boolean }) {
  const registry = join(o.dataDir, 'tenants.json');
  writeFileSync(
    registry,
    JSON.stringify(
      tenants.map((t) => {
        const z = t.zuora.admin.config();
        const n = t.netsuite.credentials;
        return {
          id: t.id,
          zuora: {
            baseUrl: t.zuora.url,
            clientId: z.clientId,
            clientSecret: z.clientSecret,
            concurrencyLimit: ZUORA_LIMIT,
          },
          netsuite: {
            accountId: n.accountId,
            restBaseUrl: n.restBaseUrl,
            consumerKey: n.consumerKey,
            consumerSecret: n.consumerSecret,
            tokenId: n.tokenId,
            tokenSecret: n.tokenSecret,
            concurrencyLimit: NETSUITE_LIMIT,
          },
        };
      }),
    ),
  );
  return Array.from({ length: PROCESSES }, (_, i) => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: o.address,
    TASK_QUEUE: FLEET_QUEUE,
    DATA_DIR: join(o.dataDir, `worker-${i}`),
    LOG_LEVEL: 'WARN',
    TENANT_REGISTRY: registry,
    TENANT_LEASES: o.leases ? 'on' : 'off',
  }));
}

type TenantFigures = {
  id: string;
  seconds: number;
  migrationSeconds: number;
  syncSeconds: number;
  zuoraPeak: number;
  zuora429: number;
  zuoraRequests: number;
  netsuitePeak: number;
  netsuite429: number;
  migrated: number;
  synced: number;
  verified: boolean;
  ratio: number;
  /** Where the window went: in-flight samples at Zuora (the emulator's own count), by phase. */
  usage: Usage;
  /** --trace: the migration's and the sync's activities over time. */
  activities?: string;
};

/** Samples of one tenant's Zuora emulator every SAMPLE_MS: requests in flight and bulk updates started so far. */
type Sample = { t: number; inFlight: number; bulk: number };
type Usage = { phases: string; perSecond: string };
const SAMPLE_MS = 100;
const BULK_ROUTE = 'PUT /v1/credit-memos/bulk';

/** Samples the emulator from the bench process (it runs there): what Zuora saw, not what the workers say. */
function sampler(t: Tenant, started: number) {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    const c = t.zuora.admin.limitsCounters();
    samples.push({ t: (Date.now() - started) / 1000, inFlight: c.inFlight, bulk: c.byRoute[BULK_ROUTE] ?? 0 });
  }, SAMPLE_MS);
  return { stop: (): Usage => (clearInterval(timer), summarise(samples)) };
}

/**
 * Where the budget went unused, in seconds of the whole budget (slot-seconds ÷ budget): before the first bulk update
 * (start, first query), from the first to the last (the chunks), after it (verification, end); within the bulk
 * phase, the stretches with no bulk update started for ≥ 1.5 s (a chunk boundary; a wave of requests takes the latency).
 */
function summarise(samples: Sample[]): Usage {
  const end = samples[samples.length - 1]?.t ?? 0;
  const first = samples.find((s) => s.bulk > 0)?.t ?? end;
  const total = samples[samples.length - 1]?.bulk ?? 0;
  const last = samples.find((s) => s.bulk === total)?.t ?? end;
  const phase = (name: string, from: number, to: number) => {
    const in_ = samples.filter((s) => s.t > from && s.t <= to);
    const mean = in_.reduce((n, s) => n + s.inFlight, 0) / Math.max(1, in_.length);
    const unused = ((BUDGET - mean) * Math.max(0, to - from)) / BUDGET;
    return `${name} ${Math.max(0, to - from).toFixed(1)}s mean_in_flight=${mean.toFixed(1)} unused=${unused.toFixed(1)}s`;
  };
  const stalls: string[] = [];
  let since = first;
  let count = 0;
  for (const s of samples) {
    if (s.t <= first || s.t > last) continue;
    if (s.bulk > count) {
      if (s.t - since >= 1.5) stalls.push(`${since.toFixed(1)}–${s.t.toFixed(1)}s`);
      since = s.t;
      count = s.bulk;
    }
  }
  const phases = [
    phase('before_bulk', 0, first),
    phase('bulk', first, last),
    phase('after_bulk', last, end),
    `no_bulk_started ${stalls.join(' ') || 'none'}`,
  ].join(' | ');
  const perSecond: number[] = [];
  for (let sec = 0; sec < Math.ceil(end); sec++) {
    const in_ = samples.filter((s) => s.t > sec && s.t <= sec + 1);
    perSecond.push(Math.round(in_.reduce((n, s) => n + s.inFlight, 0) / Math.max(1, in_.length)));
  }
  return { phases, perSecond: perSecond.join(' ') };
}

/** The workflow's activities, from its history: name start→close (seconds since `started`), to see the gaps. */
async function activityTimeline(client: Client, workflowId: string, started: number): Promise<string> {
  const EventType = temporal.api.enums.v1.EventType;
  const at = (e: temporal.api.history.v1.IHistoryEvent) =>
    ((Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6 - started) / 1000).toFixed(1);
  const names = new Map<string, string>();
  const out: string[] = [];
  for (const e of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
    const id = String(e.eventId);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      names.set(id, e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
      out.push(`${names.get(id)} sched ${at(e)}`);
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
      out.push(`start ${at(e)}`);
    } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
      out.push(`done ${at(e)};`);
    } else if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      out.push(`workflow done ${at(e)}`);
    }
  }
  return out.join(' ');
}

async function runFleet(o: {
  client: Client;
  address: string;
  tenants: Tenant[];
  n: number;
  syncMemos: number;
  latencyMs: number;
  leases: boolean;
}): Promise<TenantFigures[]> {
  for (const t of o.tenants) {
    t.zuora.admin.reset();
    t.netsuite.admin.reset();
    t.netsuite.admin.seed({ standardCreditMemos: o.syncMemos, seed: 5 });
    mirrorNetSuiteIntoZuora(t.netsuite, t.zuora.state);
    t.zuora.admin.seed({ migratedCreditMemos: o.n, seed: 7 });
    t.zuora.admin.configure({ latencyMs: o.latencyMs, concurrencyLimit: ZUORA_LIMIT });
    t.netsuite.admin.configure({ latencyMs: NETSUITE_LATENCY_MS, concurrencyLimit: NETSUITE_LIMIT });
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fleet-workers-'));
  const workers: ChildProcess[] = await Promise.all(
    processEnvs(o.tenants, { address: o.address, dataDir, leases: o.leases }).map((env) => startWorkerProcess(env)),
  );
  try {
    for (const t of o.tenants) {
      t.zuora.admin.resetCounters();
      t.netsuite.admin.resetCounters();
    }
    const stamp = Date.now();
    return await Promise.all(
      o.tenants.map(async (t): Promise<TenantFigures> => {
        const started = Date.now();
        const sampling = sampler(t, started);
        const timed = async <T>(p: Promise<T>) => ({ result: await p, seconds: (Date.now() - started) / 1000 });
        const [{ result: migration, seconds: migrationSeconds }, { result: sync, seconds: syncSeconds }] =
          await Promise.all([
            timed(
              o.client.workflow.execute(migrateCreditMemos, {
                taskQueue: t.taskQueue,
                workflowId: `fleet-migrate-${t.id}-${stamp}`,
                args: [{ tenantId: t.id }],
              }),
            ),
            timed(
              o.client.workflow.execute(syncNetSuiteCreditMemos, {
                taskQueue: t.taskQueue,
                workflowId: `fleet-sync-${t.id}-${stamp}`,
                args: [{ tenantId: t.id, standard: true }],
              }),
            ),
          ]);
        const seconds = (Date.now() - started) / 1000;
        const usage = sampling.stop();
        const z = t.zuora.admin.counters().limits;
        const ns = t.netsuite.admin.counters();
        const answered = z.requests - z.sent429;
        return {
          id: t.id,
          seconds,
          migrationSeconds,
          syncSeconds,
          zuoraPeak: z.maxConcurrentObserved,
          zuora429: z.sent429,
          zuoraRequests: answered,
          netsuitePeak: ns.maxConcurrent,
          netsuite429: ns.throttled,
          migrated: migration.counters.updated,
          synced: sync.synced,
          verified: migration.verified,
          ratio: answered / seconds / (BUDGET / (o.latencyMs / 1000)),
          usage,
          ...(trace
            ? {
                activities:
                  `migration: ${await activityTimeline(o.client, `fleet-migrate-${t.id}-${stamp}`, started)}\n  ` +
                  `sync: ${await activityTimeline(o.client, `fleet-sync-${t.id}-${stamp}`, started)}`,
              }
            : {}),
        };
      }),
    );
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function print(label: string, figures: TenantFigures[], latencyMs: number): void {
  console.log(`-- leases ${label}`);
  for (const f of figures) {
    console.log(
      `tenant=${f.id} seconds=${f.seconds.toFixed(1)} (migration ${f.migrationSeconds.toFixed(1)}, sync ` +
        `${f.syncSeconds.toFixed(1)}) zuora_peak_in_flight=${f.zuoraPeak} (budget ${BUDGET}, limit ` +
        `${ZUORA_LIMIT}) zuora_429=${f.zuora429} netsuite_peak_in_flight=${f.netsuitePeak} (limit ${NETSUITE_LIMIT}) ` +
        `netsuite_429=${f.netsuite429} zuora_requests=${f.zuoraRequests} migrated=${f.migrated} synced=${f.synced} ` +
        `verified=${f.verified} memos_per_s=${(f.migrated / f.seconds).toFixed(0)} ` +
        `ratio_to_ceiling=${f.ratio.toFixed(3)}`,
    );
    console.log(`  zuora use: ${f.usage.phases}`);
    if (trace) console.log(`  in flight per second: ${f.usage.perSecond}\n  ${f.activities}`);
  }
  void latencyMs;
}

async function main(): Promise<void> {
  const n = numberArg('n', 120_000);
  const offN = numberArg('off-n', 10_000);
  const syncMemos = numberArg('sync-memos', 100);
  const latencyMs = numberArg('latency', 1_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const server = await startDevServer({
    cliPath: loadTemporalBinaries().cli.path!,
    dataDir,
    port: await freePortNumber(),
    uiPort: await freePortNumber(),
  });
  const tenants: Tenant[] = [];
  for (const id of TENANTS) {
    tenants.push({
      id,
      taskQueue: FLEET_QUEUE,
      zuora: await startZuoraEmulator({}),
      netsuite: await startNetSuiteEmulator({}),
    });
  }
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  let lastLine = 'fleet_ratio_to_ceiling=0';
  try {
    console.log(
      `tenants=${TENANTS.length} worker_processes=${PROCESSES} zuora_limit=${ZUORA_LIMIT} ` +
        `budget=${BUDGET} zuora_latency_ms=${latencyMs} netsuite_limit=${NETSUITE_LIMIT} ` +
        `netsuite_latency_ms=${NETSUITE_LATENCY_MS} ceiling_zuora_requests_per_s=${BUDGET / (latencyMs / 1000)} ` +
        `(= ${(BUDGET * 50) / (latencyMs / 1000)} memos/s in 50-memo bulk updates)`,
    );
    if (offN > 0) {
      const off = await runFleet({
        client,
        address: server.address,
        tenants,
        n: offN,
        syncMemos,
        latencyMs,
        leases: false,
      });
      print(`off (N=${offN}: the process-wide gates alone, as before)`, off, latencyMs);
    }
    const on = await runFleet({ client, address: server.address, tenants, n, syncMemos, latencyMs, leases: true });
    print(`on (N=${n})`, on, latencyMs);
    const worst = Math.min(...on.map((f) => f.ratio));
    const goal =
      on.every(
        (f) => f.zuoraPeak <= BUDGET && f.zuora429 === 0 && f.netsuitePeak <= NETSUITE_LIMIT && f.netsuite429 === 0,
      ) && worst >= 0.85;
    console.log(`goal (peak ≤ budget, 0 429s, every ratio ≥ 0.85): ${goal ? 'met' : 'NOT met'}`);
    lastLine = `fleet_ratio_to_ceiling=${worst.toFixed(3)}`;
  } finally {
    await connection.close();
    for (const t of tenants) await Promise.all([t.zuora.stop(), t.netsuite.stop()]);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(lastLine);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
