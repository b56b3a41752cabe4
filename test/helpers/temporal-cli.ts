// The `temporal` CLI against the run's dev server: a client that knows nothing of this project (no codec, no
// data converter), so what it prints is what the server stores — unless it is given a codec server.
import { spawn } from 'node:child_process';
import { loadTemporalBinaries } from '../../src/temporal/binaries';
import { collectOutput } from './process';

export type CliResult = { status: number | null; stdout: string; stderr: string };

/** `address`: another server than the run's (e.g. `npm start`'s). */
export function temporalCli(args: string[], address = process.env.TEST_TEMPORAL_ADDRESS!): Promise<CliResult> {
  const cli = loadTemporalBinaries().cli.path;
  if (!cli) throw new Error('no temporal CLI binary: run `node scripts/ensure-temporal.mjs`');
  const child = spawn(cli, [...args, '--address', address], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child).then(({ code, stdout, stderr }) => ({ status: code, stdout, stderr }));
}

/** `temporal workflow show --output json`, parsed. */
export async function showHistory(workflowId: string, extra: string[] = []): Promise<unknown> {
  const r = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', ...extra]);
  if (r.status !== 0) throw new Error(`temporal workflow show failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}
