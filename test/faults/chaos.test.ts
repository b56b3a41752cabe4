// The chaos run of issue 8 at CI size (`npm run chaos` runs it at 50,000 memos and 5 kills): a whole upgrade with a
// migration and both syncs while the worker process is SIGKILLed and restarted, the dev server is restarted once
// and both emulators inject 10% 5xx and bursts of 429s; then the same invariants as the full run. The workers'
// logs go to the run's scan folder and the chaos server's histories are scanned before it stops: the secret scan
// covers this run too.
import { formatFigures, runChaos, type ChaosFigures } from '../../bench/chaos-run';
import { expectLedgerIntact, expectSameOutcome } from '../helpers/chaos-invariants';
import { logsDir } from '../helpers/scan-sink';
import { KILLED_WORKER_ENV } from '../helpers/worker-process';
import { scanHistoriesForSecrets } from '../secret-scan';

const N = 3_000;
const KILLS = 3;
// 429s each emulator answers in a row at the start and after every kill (`npm run chaos`: 25). Each one Zuora answers
// pauses the tenant for its Retry-After (1 s) and NetSuite's, without one, back off up to 10 s: a burst met by one
// request at a time costs seconds per 429 and tests nothing more than a short one. Three in a row still reach every
// kind of call (the counts below must be > 0) and are waited out the same way.
const BURST_429 = 3;
const SEED = Number(process.env.CHAOS_SEED ?? 42);

let figures: ChaosFigures;
let historyScan: Awaited<ReturnType<typeof scanHistoriesForSecrets>> | undefined;

beforeAll(async () => {
  figures = await runChaos({
    n: N,
    kills: KILLS,
    seed: SEED,
    burst429: BURST_429,
    logDir: logsDir(),
    workerEnv: KILLED_WORKER_ENV,
    beforeTeardown: async ({ client, address }) => {
      historyScan = await scanHistoriesForSecrets(client, address);
    },
  });
  // The figures, as `npm run chaos` prints them, in the test output.
  process.stdout.write(formatFigures(figures).join('\n') + '\n');
}, 20 * 60_000);

test('the planned faults happened: K worker kills, a dev server restart, 5xx and 429s on both APIs', () => {
  expect(figures.events.filter((e) => e.startsWith('worker SIGKILL'))).toHaveLength(KILLS);
  expect(figures.events.filter((e) => e.startsWith('dev server restarted'))).toHaveLength(1);
  expect(figures.injected.zuora5xx).toBeGreaterThan(0);
  expect(figures.injected.zuora429).toBeGreaterThan(0);
  expect(figures.injected.netsuite429).toBeGreaterThan(0);
});

test('every migrated credit memo is Yes, and no adjustment or payment was created twice', () => {
  expectLedgerIntact(figures, N);
});

test("the upgrade's final status equals the fault-free run's, and nothing is left running", () => {
  expectSameOutcome(figures);
});

test('no configured secret in any history of the chaos server', () => {
  expect(historyScan!.histories).toBeGreaterThan(0);
  expect(historyScan!.hits).toEqual([]);
});
