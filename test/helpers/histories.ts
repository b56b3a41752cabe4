// Workflow histories as replay fixtures. `RECORD_HISTORIES=1 npx jest test/upgrade test/migration test/sync`
// rewrites them from the tests that make them; commit the files. test/replay replays every fixture against the
// current code, so a change that would break running workflows (nondeterminism) fails CI until it is guarded with
// patched(). Each file is `{ workflowId, history }`, the history as `temporal workflow show --output json` prints it.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTemporalBinaries } from '../../src/temporal/binaries';

export const HISTORIES_DIR = join(__dirname, '..', 'fixtures', 'histories');

export async function recordHistory(
  handle: { workflowId: string; client?: unknown },
  name: string,
  runId?: string,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const args = [
    'workflow',
    'show',
    '--workflow-id',
    handle.workflowId,
    '--output',
    'json',
    '--address',
    process.env.TEST_TEMPORAL_ADDRESS!,
  ];
  if (runId) args.push('--run-id', runId);
  const r = spawnSync(loadTemporalBinaries().cli.path!, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`temporal workflow show failed: ${r.stderr}`);
  // The workflow id is not in the history itself; replay needs it (child ids are derived from it).
  writeFileSync(
    join(HISTORIES_DIR, `${name}.json`),
    JSON.stringify({ workflowId: handle.workflowId, history: JSON.parse(r.stdout) as unknown }) + '\n',
  );
}
