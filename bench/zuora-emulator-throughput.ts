// Measures how many credit memo updates per second the Zuora emulator sustains through bulk calls (latency off).
// Emulator and client share this process, so the figure is a lower bound for the emulator alone.
//   npm run bench:emulator -- --memos 100000 --concurrency 16
import { startZuoraEmulator } from '../emulators/zuora';
import { RequestGate } from '../src/http/request-gate';
import { ZuoraClient } from '../src/zuora';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const memos = arg('memos', 100_000);
  const concurrency = arg('concurrency', 16);
  const emulator = await startZuoraEmulator({ clientId: 'bench', clientSecret: 'bench' });
  try {
    emulator.admin.seed({ migratedCreditMemos: memos, seed: 1 });
    const ids = [...emulator.state.creditMemos.keys()];
    const client = new ZuoraClient({
      baseUrl: emulator.url,
      clientId: 'bench',
      clientSecret: 'bench',
      gate: new RequestGate({ maxInFlight: concurrency }),
    });
    await client.getCreditMemo(ids[0] ?? ''); // token + connection warm-up, outside the measurement

    let next = 0;
    let updated = 0;
    let failed = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const start = next;
        next += 50;
        if (start >= ids.length) return;
        const batch = ids.slice(start, start + 50).map((id) => ({ id, transferredToAccounting: 'Yes' as const }));
        const result = await client.bulkUpdateCreditMemos(batch);
        updated += result.updated.length;
        failed += result.failed.length;
      }
    };
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const writes = emulator.admin.counters().writesPerCreditMemo;
    const writtenOnce = Object.values(writes).every((n) => n === 1) && Object.keys(writes).length === updated;
    const perSecond = Math.round(updated / seconds);
    console.log(
      JSON.stringify({
        memos,
        concurrency,
        updated,
        failed,
        seconds: Number(seconds.toFixed(2)),
        updatesPerSecond: perSecond,
        bulkRequestsPerSecond: Math.round(updated / 50 / seconds),
        writtenOnce,
      }),
    );
    console.log(
      `Zuora emulator: ${perSecond} credit memo updates/s via bulk (${concurrency} concurrent requests of 50)`,
    );
    if (!writtenOnce || failed > 0) process.exitCode = 1;
  } finally {
    await emulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
