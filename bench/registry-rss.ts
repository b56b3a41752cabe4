// `npm run bench:registry` (issue 15, point 1): the worker's memory with 1 and with 50 configured tenants. Each
// worker process (`node dist/src/main.js`, TENANT_REGISTRY=<file>) runs the same migrations against emulators — the
// 1-tenant worker all for its tenant, the 50-tenant worker one for each of a few tenants — and its RSS is read from
// /proc after the runs. Goal: ratio ≤ 1.5 (clients are built on a tenant's first activity, so the other 45 cost
// their settings only). Last line: rss_ratio=<50-tenant RSS ÷ 1-tenant RSS>.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../emulators/netsuite/server';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../emulators/zuora/server';
import { loadTemporalBinaries } from '../src/temporal/binaries';
import { startDevServer } from '../src/temporal/dev-server';
import { migrateCreditMemos } from '../src/workflows/migrate-credit-memos';
import { freePortNumber, numberArg, startWorkerProcess } from './harness';

const tenantId = (i: number) => `tenant-${String(i + 1).padStart(2, '0')}`;

function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

async function main(): Promise<void> {
  const configured = numberArg('tenants', 50);
  const active = numberArg('active', 3);
  const memos = numberArg('memos', 200);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-registry-'));
  const server = await startDevServer({
    cliPath: loadTemporalBinaries().cli.path!,
    dataDir,
    port: await freePortNumber(),
    uiPort: await freePortNumber(),
  });
  const netsuite = await startNetSuiteEmulator({});
  // One Zuora emulator per active tenant (its own credentials); the other tenants point at them too, never used.
  const zuoras: RunningZuoraEmulator[] = [];
  for (let i = 0; i < active; i++)
    zuoras.push(await startZuoraEmulator({ clientId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const lines: string[] = [];
  try {
    const measure = async (tenants: number): Promise<{ idle: number; after: number }> => {
      const file = join(dataDir, `tenants-${tenants}.json`);
      writeFileSync(
        file,
        JSON.stringify(Array.from({ length: tenants }, (_, i) => entry(tenantId(i), zuoras[i % active]!, netsuite))),
      );
      const taskQueue = `bench-registry-${tenants}-${Date.now()}`;
      const worker = await startWorkerProcess({
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: server.address,
        TASK_QUEUE: taskQueue,
        DATA_DIR: join(dataDir, `worker-${tenants}`),
        LOG_LEVEL: 'WARN',
        TENANT_REGISTRY: file,
      });
      try {
        const idle = rssMiB(worker);
        // The same work on both workers: `active` migrations, one at a time (each reseeds its tenant's Zuora).
        for (let run = 0; run < active; run++) {
          const t = tenants === 1 ? 0 : run;
          zuoras[t % active]!.admin.reset();
          zuoras[t % active]!.admin.seed({ migratedCreditMemos: memos });
          const result = await client.workflow.execute(migrateCreditMemos, {
            taskQueue,
            workflowId: `bench-registry-${tenants}-${run}-${Date.now()}`,
            args: [{ tenantId: tenantId(t), chunkRows: 250 }],
          });
          if (!result.verified) throw new Error(`migration of ${tenantId(t)} not verified: ${JSON.stringify(result)}`);
        }
        const after = rssMiB(worker);
        lines.push(
          `tenants_configured=${tenants} tenants_run=${tenants === 1 ? 1 : active} migrations=${active}x${memos} memos ` +
            `rss_idle_mib=${idle.toFixed(1)} rss_after_mib=${after.toFixed(1)}`,
        );
        return { idle, after };
      } finally {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker.once('exit', resolve));
      }
    };
    const one = await measure(1);
    const many = await measure(configured);
    lines.push(`rss_ratio_idle=${(many.idle / one.idle).toFixed(3)}`);
    lines.push(`rss_ratio=${(many.after / one.after).toFixed(3)}`);
  } finally {
    await connection.close();
    await Promise.all([netsuite.stop(), ...zuoras.map((z) => z.stop())]);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  for (const l of lines) console.log(l); // after the worker and servers have stopped; rss_ratio last
}

function entry(id: string, zuora: RunningZuoraEmulator, netsuite: RunningNetSuiteEmulator) {
  const z = zuora.admin.config();
  return {
    id,
    zuora: { baseUrl: zuora.url, clientId: z.clientId, clientSecret: z.clientSecret, concurrencyLimit: 40 },
    netsuite: { ...netsuite.credentials, concurrencyLimit: 5 },
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
