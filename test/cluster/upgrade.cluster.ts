// The chaos run (bench/chaos-run.ts, the same driver and invariants as test/faults/chaos.test.ts) against a
// production Temporal: the server built from go.temporal.io/server with PostgreSQL persistence (cluster.ts), two
// worker processes on the task queue, one SIGKILLed mid-migration and the Temporal server restarted mid-migration,
// 5xx and 429 bursts from both emulators. Its figures are printed; `npm run test:cluster` runs it.
import { formatFigures, runChaos, type ChaosFigures } from '../../bench/chaos-run';
import { expectLedgerIntact, expectSameOutcome } from '../helpers/chaos-invariants';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { Client, Connection } from '@temporalio/client';
import { scanFilesForSecrets, scanHistoriesForSecrets } from '../secret-scan';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { processExists, startCluster, type RunningCluster } from './cluster';

// 20,000 memos keep the migration running long enough (about 15 s here) for both faults to land inside it.
const N = Number(process.env.CLUSTER_N ?? 20_000);
// Seed 9 plans the kill at 26% of the memos and the server restart at 78% (bench/chaos-run.ts planMoments): the kill
// strikes batches in flight, well before the restart (with seed 42 the restart came first and, while it ran, the
// migration wrote every memo, so the kill met only the final check).
const SEED = Number(process.env.CLUSTER_SEED ?? 9);
const NAMESPACE = 'invoice-settlement-cluster';
// Kept after the run (git-ignored): the worker, server and PostgreSQL logs of the last run.
const LOG_DIR = join(PROJECT_ROOT, '.temporal', 'cluster', 'logs');
const log = (line: string) => process.stdout.write(`  … ${new Date().toISOString()} ${line}\n`);

let cluster: RunningCluster | undefined;
let figures: ChaosFigures;
let searchAttributes: Record<string, unknown> = {};
let pids: number[] = [];
let suiteSeconds = 0;
let secretScan: { histories: number; events: number; hits: string[]; files: number; fileHits: string[] } | undefined;

beforeAll(async () => {
  const t0 = Date.now();
  rmSync(LOG_DIR, { recursive: true, force: true });
  try {
    cluster = await startCluster({ namespace: NAMESPACE, logDir: LOG_DIR, log });
    const c = cluster;
    const connection = await Connection.connect({ address: c.address });
    try {
      const r = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
      searchAttributes = r.customAttributes ?? {};
    } finally {
      await connection.close();
    }
    figures = await runChaos({
      n: N,
      kills: 1, // planned mid-migration (bench/chaos-run.ts planMoments: the first half of the kills land there)
      seed: SEED,
      burst429: 10,
      workers: 2,
      logDir: LOG_DIR,
      log,
      temporal: { name: 'Temporal server', address: c.address, namespace: c.namespace, restart: c.restartServer },
    });
    // As `npm test` does for the dev server (test/global-teardown.ts): no configured secret in any history of the
    // namespace, nor in the worker, server and PostgreSQL logs of the run.
    const scanConnection = await Connection.connect({ address: c.address });
    try {
      const h = await scanHistoriesForSecrets(
        new Client({ connection: scanConnection, namespace: c.namespace }),
        c.address,
      );
      const f = scanFilesForSecrets(LOG_DIR);
      secretScan = { ...h, files: f.files, fileHits: f.hits };
    } finally {
      await scanConnection.close();
    }
  } finally {
    pids = cluster?.pids() ?? [];
    await cluster?.stop();
    suiteSeconds = (Date.now() - t0) / 1000;
  }
  const f = cluster!.figures;
  const retried = figures.slowActivities.filter((r) => r.attempts > 1);
  process.stdout.write(
    [
      ...formatFigures(figures),
      `cluster: server ${cluster!.paths.serverVersion} postgres_start_seconds=${f.postgresStartSeconds.toFixed(1)} ` +
        `schema_seconds=${f.schemaSeconds.toFixed(1)} server_start_seconds=${f.serverStartSeconds.toFixed(1)} ` +
        `namespace_seconds=${f.namespaceSeconds.toFixed(1)} ` +
        `server_restart_seconds=${f.serverRestartSeconds.map((s) => s.toFixed(1)).join(',')}`,
      `upgrade_seconds: fault_free=${figures.baselineSeconds.toFixed(1)} with_faults=${figures.chaosSeconds.toFixed(1)}`,
      `activities_retried_after_faults=${retried.length} max_attempts=${Math.max(1, ...retried.map((r) => r.attempts))}`,
      `secret_scan: histories=${secretScan!.histories} events=${secretScan!.events} hits=${secretScan!.hits.length} ` +
        `log_files=${secretScan!.files} log_hits=${secretScan!.fileHits.length}`,
      `cluster_suite_seconds=${suiteSeconds.toFixed(1)}`,
    ].join('\n') + '\n',
  );
}, 60 * 60_000);

test('the namespace has the search attributes the workflows upsert, as Keyword', () => {
  for (const k of CUSTOM_SEARCH_ATTRIBUTES) expect(searchAttributes[k.name]).toBeDefined();
});

test('the planned faults happened: a worker SIGKILLed mid-migration with two workers, the server restarted', () => {
  const kills = figures.events.filter((e) => e.startsWith('worker SIGKILL'));
  expect(kills).toHaveLength(1);
  // Mid-migration: some memos written, not all.
  const written = Number(/\((\d+)% of the memos written\)/.exec(kills[0]!)?.[1]);
  expect(written).toBeGreaterThan(0);
  expect(written).toBeLessThan(100);
  expect(figures.events.filter((e) => e.startsWith('Temporal server restarted'))).toHaveLength(1);
  expect(cluster!.figures.serverRestartSeconds).toHaveLength(1);
});

test('every migrated credit memo is Yes, and no adjustment or payment was created twice', () => {
  expectLedgerIntact(figures, N);
});

test("the upgrade's final status equals the fault-free run's, and no workflow is left running", () => {
  expectSameOutcome(figures);
});

test('no configured secret in any workflow history of the namespace or in any log of the run', () => {
  expect(secretScan!.histories).toBeGreaterThan(0);
  expect(secretScan!.files).toBeGreaterThan(0);
  expect([...secretScan!.hits, ...secretScan!.fileHits]).toEqual([]);
});

test('every process the suite started (PostgreSQL, each server start) is gone, and its data folder', () => {
  expect(pids.length).toBeGreaterThanOrEqual(3); // PostgreSQL, the server, the server after its restart
  expect(pids.filter(processExists)).toEqual([]);
  expect(existsSync(cluster!.root)).toBe(false);
});
