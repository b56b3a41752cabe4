// docker-compose.yml's schema job (temporal-schema), run as the cluster suite's schema set-up: the same
// temporal-sql-tool lines, with the job's environment pointed at the suite's PostgreSQL and the admin-tools image's
// schema folder at the one the server module ships. So `npm run test:cluster` checks the lines users run.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

/** Where the admin-tools image keeps the PostgreSQL schema (docs/temporal.md "Docker images"). */
const IMAGE_SCHEMA_DIR = '/etc/temporal/schema/postgresql/v12';

type Job = { entrypoint: string[]; command: string[]; environment: Record<string, string> };

export function composeSchemaJob(): { script: string; environment: Record<string, string> } {
  const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Job>;
  };
  const job = compose.services['temporal-schema']!;
  if (job.entrypoint.join(' ') !== '/bin/sh -ec') throw new Error('temporal-schema is not a `sh -ec` job');
  return { script: job.command.join('\n'), environment: job.environment };
}

/** Runs the job's lines against PostgreSQL on 127.0.0.1:`port` with the suite's tool and schema; throws on failure. */
export function runComposeSchemaJob(o: {
  sqlTool: string;
  schemaDir: string;
  port: number;
  user: string;
  password: string;
}): string {
  const { script, environment } = composeSchemaJob();
  const r = spawnSync('/bin/sh', ['-ec', script.replaceAll(IMAGE_SCHEMA_DIR, o.schemaDir)], {
    encoding: 'utf8',
    env: {
      PATH: `${dirname(o.sqlTool)}:${process.env.PATH}`,
      SQL_PLUGIN: environment.SQL_PLUGIN,
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(o.port),
      SQL_USER: o.user,
      SQL_PASSWORD: o.password,
    },
  });
  if (r.status !== 0) throw new Error(`docker-compose's temporal-schema job failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout + r.stderr;
}
