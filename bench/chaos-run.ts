// The chaos run (issue 8) as a function, for `npm run chaos` (bench/chaos.ts) and for its CI-sized test
// (test/faults/chaos.test.ts): a whole upgrade with an N-memo migration and both syncs, once without faults and once
// while the worker process is SIGKILLed and restarted K times, the Temporal dev server (persistent SQLite) is
// restarted once, and both emulators answer 10% 5xx and bursts of 429s. The cluster suite (test/cluster) runs it
// against a production Temporal server with PostgreSQL and two worker processes (options `temporal`, `workers`).
//
// Where the kills land is planned from the seed so that each run hits the parts that matter: the first half of the
// kills during the migration (at random fractions of the memos written), the rest at random other moments — the
// final credit memo sync, a step waiting on a person, the payment catch-up sync. The dev server restart comes
// mid-migration too. Each kill re-arms a burst of 429s on both emulators, as an overloaded tenant would answer a
// worker that comes back.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { deleteSyncSchedule, ensureSyncSchedule } from '../src/temporal/schedules';
import { mirrorNetSuiteIntoZuora } from '../emulators/linked-tenants';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import { seededRandom } from '../emulators/common/random';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../emulators/zuora/server';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../src/shared/migration';
import {
  MESSAGE_DEFINITIONS,
  statusQuery,
  type MessageName,
  type StepId,
  type UpgradeStatus,
} from '../src/shared/upgrade';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { invoiceSettlementUpgrade } from '../src/workflows/upgrade/invoice-settlement-upgrade';
import { slowActivities } from './activity-profile';
import { emulatorWorkerEnv, freePortNumber, startWorkerProcess } from './harness';

const TENANT = 'demo';
const TASK_QUEUE = 'invoice-settlement';
const by = 'chaos@example.com';

export type ChaosOptions = {
  n: number;
  kills: number;
  seed: number;
  /** 429s each emulator answers in a row, at the start of the chaotic run and after every kill. */
  burst429?: number;
  /** Share of requests each emulator fails with a 5xx (or a dropped connection). */
  errorRate?: number;
  /** Where the worker processes' output goes (one file per process); a temporary folder when absent. */
  logDir?: string;
  /** Called with the run's client and server address before anything is stopped (e.g. to scan histories). */
  beforeTeardown?: (o: { client: Client; address: string }) => Promise<void>;
  /** Progress lines as the run goes (kills, restarts). */
  log?: (line: string) => void;
  /** A Temporal the caller runs (the cluster suite, test/cluster); default: a dev server this run starts and stops. */
  temporal?: ChaosTemporal;
  /** Worker processes polling the task queue (default 1); a kill strikes the first. */
  workers?: number;
  /** More environment for the worker processes (the tests' shorter sticky queue timeout). */
  workerEnv?: Record<string, string>;
};

/** The Temporal server of a chaos run: where it listens, its namespace, and how to restart it in place. */
export type ChaosTemporal = { name: string; address: string; namespace: string; restart(): Promise<void> };

/** A moment at which the chaos loop strikes. */
type Moment =
  | { at: 'migration'; fraction: number; what: 'kill' | 'server-restart' }
  | { at: 'final-credit-memo-sync' | 'payment-catch-up' }
  | { at: 'waiting'; stepId: StepId };

export type ChaosFigures = {
  n: number;
  kills: number;
  seed: number;
  plan: string[];
  events: string[];
  baselineSeconds: number;
  chaosSeconds: number;
  injected: { zuora5xx: number; zuora429: number; netsuite5xx: number; netsuite429: number };
  migratedMemos: number;
  notYes: number;
  memoWritesBeyondOne: number;
  duplicateAdjustments: number;
  duplicatePayments: number;
  finalStatusIdentical: boolean;
  statusDifference: string | null;
  workflowsLeftRunning: number;
  slowActivities: Awaited<ReturnType<typeof slowActivities>>;
  stepSeconds: { id: StepId; faultFree: string; chaotic: string }[];
  invariantsHeld: boolean;
};

type World = {
  temporal: ChaosTemporal;
  client: Client;
  zuora: RunningZuoraEmulator;
  netsuite: RunningNetSuiteEmulator;
  workers: ChildProcess[];
  workerEnv: NodeJS.ProcessEnv;
  logDir: string;
};

/** Calls that may meet a restarting server or worker: try again until they go through (bounded). */
async function persist<T>(
  what: string,
  fn: () => Promise<T>,
  { timeoutMs = 300_000, fatal = (_err: unknown): boolean => false } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (fatal(err) || Date.now() > deadline) throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The human steps the driver answers, in order, with the message each needs. */
const HUMAN_STEPS: { stepId: StepId; message: MessageName; payload: Record<string, unknown> }[] = [
  // The final sync lists the demo's memos not fully applied and waits: the operator goes on without them.
  { stepId: 'prepare.final-credit-memo-sync', message: 'completeStep', payload: {} },
  { stepId: 'prepare.freeze-negative-invoices', message: 'completeStep', payload: {} },
  { stepId: 'enable-invoice-settlement', message: 'invoiceSettlementEnabled', payload: {} },
  { stepId: 'migrate.credit-memos', message: 'approveStep', payload: {} },
  {
    stepId: 'connector.oauth-client',
    message: 'completeStep',
    payload: { data: { oauthClientId: 'oauth-client-42' } },
  },
  { stepId: 'connector.new-instance', message: 'completeStep', payload: { data: { newInstanceId: 'new-instance-2' } } },
  { stepId: 'connector.instance-credentials', message: 'completeStep', payload: {} },
  { stepId: 'connector.support-ticket', message: 'completeStep', payload: { data: { ticketId: 'T-1' } } },
  {
    stepId: 'connector.provisioning-ids',
    message: 'provisioningIdsReceived',
    payload: { accountId: 'acc-7781', environmentId: 'env-5521' },
  },
  { stepId: 'connector.sync-preferences', message: 'completeStep', payload: {} },
  { stepId: 'connector.retire-old', message: 'completeStep', payload: {} },
  { stepId: 'payments.zuora-sync-updates-default', message: 'completeStep', payload: {} },
];

/** K kill moments and one server restart, from the seed (see the header). */
export function planMoments(kills: number, random: () => number): { kills: Moment[]; serverRestart: Moment } {
  const inMigration = Math.ceil(kills / 2);
  const fractions = Array.from({ length: inMigration }, () => 0.1 + random() * 0.8).sort((a, b) => a - b);
  const others: Moment[] = [
    { at: 'final-credit-memo-sync' },
    { at: 'payment-catch-up' },
    ...HUMAN_STEPS.filter((h) => h.stepId !== 'migrate.credit-memos').map((h): Moment => ({
      at: 'waiting',
      stepId: h.stepId,
    })),
  ];
  const picked: Moment[] = [];
  while (picked.length < kills - inMigration && others.length > 0) {
    picked.push(others.splice(Math.floor(random() * others.length), 1)[0]!);
  }
  return {
    kills: [...fractions.map((fraction): Moment => ({ at: 'migration', fraction, what: 'kill' })), ...picked],
    serverRestart: { at: 'migration', fraction: 0.1 + random() * 0.8, what: 'server-restart' },
  };
}

function describeMoment(m: Moment): string {
  if (m.at === 'migration') return `${m.what} at ${(m.fraction * 100).toFixed(0)}% of the migration`;
  if (m.at === 'waiting') return `kill while ${m.stepId} waits on a person`;
  return `kill during the ${m.at} step`;
}

function seed(world: World, n: number) {
  world.zuora.admin.reset();
  world.netsuite.admin.reset();
  world.netsuite.admin.seed({ demo: true });
  world.zuora.admin.seed({ demo: true, migratedCreditMemos: n });
  mirrorNetSuiteIntoZuora(world.netsuite, world.zuora.state);
  world.zuora.admin.markSyncedToNetSuite();
}

function migratedMemos(world: World) {
  return [...world.zuora.state.creditMemos.values()].filter((m) => m.reasonCode === MIGRATED_CREDIT_MEMO_REASON_CODE);
}

async function stepState(handle: WorkflowHandle, id: StepId): Promise<string> {
  const s = await persist('status', () => handle.query(statusQuery));
  return s.steps.find((x) => x.id === id)!.state;
}

async function waitForStep(handle: WorkflowHandle, id: StepId, state: string): Promise<void> {
  const deadline = Date.now() + 900_000;
  for (;;) {
    const now = await stepState(handle, id);
    if (now === state) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${id} to be ${state} (it is ${now})`);
    await sleep(100);
  }
}

async function send(handle: WorkflowHandle, name: MessageName, payload: Record<string, unknown>): Promise<void> {
  const update = MESSAGE_DEFINITIONS[name].update as never;
  await persist(name, () => handle.executeUpdate(update, { args: [{ by, ...payload }] as never }), {
    // Refused by the workflow's validator: a wrong driver, not chaos — trying again would not help.
    fatal: (err) => err instanceof WorkflowUpdateFailedError,
  });
}

/**
 * One whole upgrade driven by messages. `strike` is called while a human step waits (before its message is sent)
 * and is where waiting-step kills happen; the concurrent chaos loop handles the moments inside automatic steps.
 */
async function upgrade(world: World, n: number, strike: (stepId: StepId) => Promise<void>): Promise<UpgradeStatus> {
  seed(world, n);
  await persist('schedules', async () => {
    await deleteSyncSchedule(world.client, 'credit-memo', TENANT);
    await deleteSyncSchedule(world.client, 'payment', TENANT);
    await ensureSyncSchedule(world.client, {
      kind: 'credit-memo',
      tenantId: TENANT,
      input: { tenantId: TENANT, standard: true, negativeBalance: true },
      taskQueue: TASK_QUEUE,
    });
  });
  const handle = await world.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: TASK_QUEUE,
    workflowId: `is-upgrade-${TENANT}`,
    args: [
      {
        tenantId: TENANT,
        oldConnectorInstanceId: 'old-instance-1',
        // No canary (its second approval is test/upgrade/canary-revert.test.ts's): one approval, as the steps above.
        options: { migrationHeartbeatTimeoutSeconds: 3, migrationCanaryMemos: 0 },
      },
    ],
  });
  for (const h of HUMAN_STEPS) {
    await waitForStep(handle, h.stepId, 'waiting');
    await strike(h.stepId);
    await send(handle, h.message, {
      ...(h.message === 'completeStep' || h.message === 'approveStep' ? { stepId: h.stepId } : {}),
      ...h.payload,
      ...(h.message === 'provisioningIdsReceived' ? { by: 'zuora-support' } : {}),
    });
  }
  return persist('result', () => handle.result(), { timeoutMs: 900_000 });
}

function normalized(s: UpgradeStatus): string {
  return JSON.stringify(s)
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/"\/[^"]*\/reports\/[^"]*"/g, '"<report>"')
    .replace(/"sha256":"[0-9a-f]{64}"/g, '"sha256":"<sha256 of a manifest with times and run ids>"');
}

/** The first place two normalized statuses differ, with some context, for the report when they do. */
function firstDifference(a: string, b: string): string | null {
  if (a === b) return null;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `fault-free: …${a.slice(Math.max(0, i - 80), i + 120)}…\nchaotic:    …${b.slice(Math.max(0, i - 80), i + 120)}…`;
}

function stepSeconds(s: UpgradeStatus['steps'][number]): string {
  if (!s.startedAt || !s.finishedAt) return '-';
  return ((Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000).toFixed(1);
}

let workerNumber = 0;
async function startWorker(world: World): Promise<ChildProcess> {
  const child = await persist('worker start', () => startWorkerProcess(world.workerEnv));
  const out = createWriteStream(join(world.logDir, `chaos-worker-${++workerNumber}-${child.pid}.log`));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function killWorker(world: World): Promise<void> {
  const w = world.workers[0];
  if (w && w.exitCode === null && w.signalCode === null) {
    const exited = new Promise((r) => w.once('exit', r));
    w.kill('SIGKILL');
    await exited;
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s: no worker outlives the run. */
async function stopWorker(w: ChildProcess): Promise<void> {
  if (w.exitCode !== null || w.signalCode !== null) return;
  const exited = new Promise((r) => w.once('exit', r));
  w.kill('SIGTERM');
  const timer = setTimeout(() => w.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function runChaos(o: ChaosOptions): Promise<ChaosFigures> {
  const log = o.log ?? (() => undefined);
  const random = seededRandom(o.seed);
  const burst429 = o.burst429 ?? 25;
  const errorRate = o.errorRate ?? 0.1;
  const plan = planMoments(o.kills, random);
  const dataDir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const logDir = o.logDir ?? join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  let devServer: RunningDevServer | undefined;
  let temporal = o.temporal;
  if (!temporal) {
    const serverOptions = {
      cliPath: loadTemporalBinaries().cli.path!,
      dataDir: join(dataDir, 'temporal'),
      port: await freePortNumber(),
      uiPort: await freePortNumber(),
    };
    devServer = await startDevServer(serverOptions);
    temporal = {
      name: 'dev server',
      address: devServer.address,
      namespace: 'default',
      restart: async () => {
        await devServer!.stop();
        devServer = await startDevServer(serverOptions);
      },
    };
  }
  const zuora = await startZuoraEmulator({});
  const netsuite = await startNetSuiteEmulator({});
  const connection = await Connection.connect({ address: temporal.address });
  const world: World = {
    temporal,
    client: new Client({ connection, namespace: temporal.namespace }),
    zuora,
    netsuite,
    workers: [],
    logDir,
    workerEnv: emulatorWorkerEnv({
      temporalAddress: temporal.address,
      taskQueue: TASK_QUEUE,
      dataDir: join(dataDir, 'worker'),
      zuora,
      netsuite,
      // Everything the worker logs, at every level, is what a secret scan of its logs should see.
      extra: { LOG_LEVEL: 'DEBUG', TEMPORAL_NAMESPACE: temporal.namespace, ...o.workerEnv },
    }),
  };
  try {
    for (let i = 0; i < (o.workers ?? 1); i++) world.workers.push(await startWorker(world));
    const t0 = Date.now();
    const baseline = await upgrade(world, o.n, async () => undefined);
    const baselineSeconds = (Date.now() - t0) / 1000;

    const events: string[] = [];
    const t1 = Date.now();
    const note = (e: string) => {
      const line = `${e} at ${((Date.now() - t1) / 1000).toFixed(1)} s`;
      events.push(line);
      log(line);
    };
    const kill = async (why: string) => {
      zuora.admin.configure({ burst429 });
      netsuite.admin.configure({ burst429 });
      await killWorker(world);
      note(`worker SIGKILL #${events.filter((e) => e.startsWith('worker')).length + 1} (${why})`);
      world.workers[0] = await startWorker(world);
    };
    const yesCount = () => migratedMemos(world).filter((x) => x.transferredToAccounting === 'Yes').length;
    const written = () => `${((yesCount() / o.n) * 100).toFixed(0)}%`;
    const restartServer = async () => {
      const at = written();
      await world.temporal.restart();
      note(`${world.temporal.name} restarted (${at} of the memos written when it stopped)`);
    };

    // Moments inside automatic steps: watched by a loop beside the driver.
    let done = false;
    const pending = [...plan.kills.filter((m) => m.at !== 'waiting'), plan.serverRestart];
    const watcher = (async () => {
      const handle = world.client.workflow.getHandle(`is-upgrade-${TENANT}`);
      while (!done && pending.length > 0) {
        await sleep(50);
        const yes = yesCount(); // once per tick, for every migration moment
        for (const m of [...pending]) {
          let now = false;
          if (m.at === 'migration') {
            now = yes >= m.fraction * o.n;
          } else {
            const stepId =
              m.at === 'final-credit-memo-sync' ? 'prepare.final-credit-memo-sync' : 'payments.catch-up-sync';
            now = (await stepState(handle, stepId).catch(() => '')) === 'running';
          }
          if (!now) continue;
          pending.splice(pending.indexOf(m), 1);
          if (m.at === 'migration' && m.what === 'server-restart') await restartServer();
          else await kill(m.at === 'migration' ? `${written()} of the memos written` : m.at);
        }
      }
    })();
    const waitingKills = new Set(plan.kills.flatMap((m) => (m.at === 'waiting' ? [m.stepId] : [])));
    const chaotic = await upgrade(world, o.n, async (stepId) => {
      if (stepId === 'prepare.freeze-negative-invoices') {
        zuora.admin.configure({ faults: { errorRate }, burst429 });
        netsuite.admin.configure({ faults: { errorRate }, burst429 });
      }
      if (waitingKills.has(stepId)) await kill(`while ${stepId} waits on a person`);
    }).finally(() => {
      done = true;
    });
    await watcher;
    const chaosSeconds = (Date.now() - t1) / 1000;
    zuora.admin.configure({ faults: { errorRate: 0 }, burst429: 0 });
    netsuite.admin.configure({ faults: { errorRate: 0 }, burst429: 0 });

    const memos = migratedMemos(world);
    const zc = zuora.admin.counters();
    const nl = netsuite.admin.counters().limits;
    const writesPerMemo = zc.writesPerCreditMemo;
    // Runs still in flight when the upgrade finished (a scheduled sync started just before) may finish on their own:
    // up to 30 s for them; what still runs then is left running, and is named.
    let left: string[] = [];
    for (const until = Date.now() + 30_000; ; await sleep(500)) {
      left = [];
      for await (const w of world.client.workflow.list({ query: `ExecutionStatus = 'Running'` }))
        left.push(`${w.type} ${w.workflowId}`);
      if (left.length === 0 || Date.now() > until) break;
    }
    const running = left.length;
    if (running > 0) console.log(`workflows left running: ${left.join('; ')}`);
    const difference = firstDifference(normalized(baseline), normalized(chaotic));
    const figures: ChaosFigures = {
      n: o.n,
      kills: o.kills,
      seed: o.seed,
      plan: [...plan.kills, plan.serverRestart].map(describeMoment),
      events,
      baselineSeconds,
      chaosSeconds,
      injected: {
        zuora5xx: zc.limits.injectedErrors,
        zuora429: zc.limits.burst429Sent,
        netsuite5xx: nl.injectedErrors,
        netsuite429: nl.burst429Sent,
      },
      migratedMemos: memos.length,
      notYes: memos.filter((m) => m.transferredToAccounting !== 'Yes').length,
      memoWritesBeyondOne: memos.reduce((sum, m) => sum + Math.max(0, (writesPerMemo[m.id] ?? 0) - 1), 0),
      duplicateAdjustments: Object.values(zc.adjustmentsPerReferenceId).filter((c) => c > 1).length,
      duplicatePayments: Object.values(zc.paymentsPerIdempotencyKey).filter((c) => c > 1).length,
      finalStatusIdentical: difference === null,
      statusDifference: difference,
      workflowsLeftRunning: running,
      slowActivities: await slowActivities(world.client, `StartTime > '${new Date(t1).toISOString()}'`),
      stepSeconds: chaotic.steps.map((s) => ({
        id: s.id,
        faultFree: stepSeconds(baseline.steps.find((b) => b.id === s.id)!),
        chaotic: stepSeconds(s),
      })),
      invariantsHeld: false,
    };
    figures.invariantsHeld =
      figures.migratedMemos >= o.n &&
      figures.notYes === 0 &&
      figures.duplicateAdjustments === 0 &&
      figures.duplicatePayments === 0 &&
      figures.finalStatusIdentical &&
      figures.workflowsLeftRunning === 0;
    await o.beforeTeardown?.({ client: world.client, address: world.temporal.address });
    return figures;
  } finally {
    await Promise.all(world.workers.map(stopWorker));
    await connection.close().catch(() => undefined);
    await zuora.stop();
    await netsuite.stop();
    await devServer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The figures as the chaos run prints them; the last line is `invariants_held=true|false`. */
export function formatFigures(f: ChaosFigures): string[] {
  return [
    `N=${f.n} kills=${f.kills} seed=${f.seed}`,
    'plan:',
    ...f.plan.map((p) => `  ${p}`),
    'events:',
    ...f.events.map((e) => `  ${e}`),
    `fault_free_seconds=${f.baselineSeconds.toFixed(1)} chaos_seconds=${f.chaosSeconds.toFixed(1)}`,
    `injected: zuora_5xx=${f.injected.zuora5xx} zuora_429=${f.injected.zuora429} ` +
      `netsuite_5xx=${f.injected.netsuite5xx} netsuite_429=${f.injected.netsuite429}`,
    `migrated_memos=${f.migratedMemos} not_yes=${f.notYes} memo_rewrites=${f.memoWritesBeyondOne}`,
    `duplicate_adjustments=${f.duplicateAdjustments} duplicate_payments=${f.duplicatePayments}`,
    `final_status_identical_to_fault_free=${f.finalStatusIdentical}`,
    ...(f.statusDifference ? [f.statusDifference] : []),
    `workflows_left_running=${f.workflowsLeftRunning}`,
    'activities retried or slower than 5 s in the chaotic run:',
    ...f.slowActivities.map(
      (r) => `  ${r.workflow}.${r.activity} attempts=${r.attempts} seconds=${r.seconds.toFixed(1)} ${r.lastFailure}`,
    ),
    'step seconds (fault-free / chaotic):',
    ...f.stepSeconds.map((s) => `  ${s.id.padEnd(40)} ${s.faultFree} / ${s.chaotic}`),
    `invariants_held=${f.invariantsHeld}`,
  ];
}
