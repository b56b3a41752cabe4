// docker-compose.yml's setup job, run here: no Docker engine, but the same shell lines with the same `temporal` CLI
// against the run's dev server — on a namespace of its own (the job's "default" swapped for it), so it takes the
// path of a first `docker compose up` (namespace created, attributes registered), then again as on every later up.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { loadTemporalBinaries, PROJECT_ROOT } from '../../src/temporal/binaries';
import { collectOutput } from '../helpers/process';
import { temporalCli } from '../helpers/temporal-cli';

type Job = { entrypoint: string[]; command: string[]; environment: Record<string, string> };
const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Job>;
};

/** The job's script as its container's shell gets it: compose turns `$$` into `$` (no other interpolation here). */
function script(job: Job, namespace: string): string {
  expect(job.entrypoint).toEqual(['/bin/sh', '-ec']);
  const text = job.command.join('\n');
  expect(text.replaceAll('$$', '')).not.toContain('$');
  return text.replaceAll('$$', '$').replaceAll('--namespace default', `--namespace ${namespace}`);
}

async function runJob(text: string) {
  const cli = loadTemporalBinaries().cli.path!;
  const child = spawn('/bin/sh', ['-ec', text], {
    env: {
      PATH: `${dirname(cli)}:${process.env.PATH}`,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child);
}

test('the setup job creates a namespace and registers every custom search attribute; a rerun succeeds too', async () => {
  const namespace = `compose-${randomUUID().slice(0, 8)}`;
  const text = script(compose.services['temporal-setup']!, namespace);
  const first = await runJob(text);
  expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  const again = await runJob(text);
  expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

  const listed = await temporalCli(['operator', 'search-attribute', 'list', '--namespace', namespace, '-o', 'json']);
  expect(listed.status).toBe(0);
  const { customAttributes } = JSON.parse(listed.stdout) as { customAttributes: Record<string, string> };
  expect(Object.fromEntries(CUSTOM_SEARCH_ATTRIBUTES.map((k) => [k.name, customAttributes[k.name]]))).toEqual(
    Object.fromEntries(CUSTOM_SEARCH_ATTRIBUTES.map((k) => [k.name, `INDEXED_VALUE_TYPE_${k.type}`])),
  );
});
