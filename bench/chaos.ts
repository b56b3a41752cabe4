// `npm run chaos`: the chaos run of issue 8 (see bench/chaos-run.ts) at full size, its figures printed.
//   npm run chaos                                             # N = 50,000, K = 5, seed 42
//   npm run chaos -- --n 5000 --kills 3 --seed 7 --burst 25
// The last line is invariants_held=true|false; the exit code is 0 only when they held.
import { formatFigures, runChaos } from './chaos-run';
import { numberArg } from './harness';

async function main(): Promise<void> {
  const figures = await runChaos({
    n: numberArg('n', 50_000),
    kills: numberArg('kills', 5),
    seed: numberArg('seed', 42),
    burst429: numberArg('burst', 25),
    errorRate: numberArg('error-rate', 0.1),
    log: (line) => console.log(`  … ${line}`),
  });
  for (const line of formatFigures(figures)) console.log(line);
  process.exitCode = figures.invariantsHeld ? 0 : 1;
}

main().catch((err) => {
  console.error(err);
  console.log('invariants_held=false');
  process.exit(1);
});
