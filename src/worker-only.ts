// `npm run worker` (`node dist/src/main.js --worker-only`): the production entry (issue 15, point 4). The same process
// as `npm start` with one difference: it never starts a dev server or an emulator. Where `npm start` would fall back
// to the demo (no Temporal address, no ZUORA_* / NETSUITE_*), it exits 2 naming what is missing instead.
import { ConfigError, loadConfig, type AppConfig } from './config';
import type { TemporalTarget } from './temporal/connection';

export const WORKER_ONLY_FLAG = '--worker-only';

/** The settings of this start: `npm start`'s rules, or with `workerOnly` those of a worker that starts nothing else. */
export function loadEntryConfig(env: NodeJS.ProcessEnv, target: TemporalTarget, workerOnly: boolean): AppConfig {
  if (!workerOnly) return loadConfig(env, { temporalConfigured: target.configured });
  const problems: string[] = [];
  if (!target.configured)
    problems.push(
      'TEMPORAL_ADDRESS (or TEMPORAL_PROFILE): missing (npm run worker never starts a dev server; npm start runs the demo)',
    );
  if (env.EMULATORS !== undefined)
    problems.push('EMULATORS: set, but npm run worker never starts an emulator (npm start runs the demo)');
  let config: AppConfig | undefined;
  try {
    // As with a configured Temporal and no EMULATORS: ZUORA_* and NETSUITE_* are required, never an emulator.
    config = loadConfig({ ...env, EMULATORS: undefined }, { temporalConfigured: true });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Its reasons and hints for a missing system are npm start's; here the reason is this entry.
    for (const p of err.problems)
      problems.push(p.replace(/: missing \(the real (\w+):.*\)$/, ': missing (npm run worker uses the real $1)'));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config!;
}
