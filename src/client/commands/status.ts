// `is-upgrade status`: the checklist as a table, the running migration as a progress bar; --watch redraws it until
// the upgrade ends, --json prints the status query's answer as is (plus the migration progress).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Command } from 'commander';
import { progressQuery, type MigrationProgress } from '../../shared/migration';
import { statusQuery, upgradeWorkflowId, type UpgradeStatus } from '../../shared/upgrade';
import { explainNotFound } from '../cli/errors';
import { CliError, EXIT } from '../cli/exit-codes';
import { contextOf, jsonOption, numberParser, tenantOption } from '../cli/options';
import { shellLine } from '../cli/shell';
import { progressBar, renderChecklist } from '../render';

/** A query is answered by a worker: without one it would hang, so it gets a deadline and a clear message. */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 15;

export type StatusSnapshot = {
  workflowStatus: string;
  status: UpgradeStatus;
  migrationProgress: (MigrationProgress & { workflowId: string }) | null;
};

async function query<T>(client: Client, what: string, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + timeoutSeconds * 1000, fn);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw err;
    // The client wraps the gRPC error (DEADLINE_EXCEEDED, code 4) in a ServiceError "Failed to query Workflow".
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const message = `${(err as Error).message ?? String(err)} ${String(cause?.message ?? '')}`;
    if (cause?.code === 4 || /deadline|timed? ?out/i.test(message)) {
      throw new CliError(
        `No worker answered the ${what} query within ${timeoutSeconds}s: is the worker running ` +
          '(`npm start`, or `npm run worker` against this server) on the upgrade’s task queue?',
        EXIT.failure,
        { cause: err },
      );
    }
    throw err;
  }
}

export async function readStatus(
  client: Client,
  tenantId: string,
  queryTimeoutSeconds = DEFAULT_QUERY_TIMEOUT_SECONDS,
): Promise<StatusSnapshot> {
  const workflowId = upgradeWorkflowId(tenantId);
  const handle = client.workflow.getHandle(workflowId);
  let workflowStatus: string;
  try {
    workflowStatus = (await handle.describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await explainNotFound(client, workflowId, tenantId);
    throw err;
  }
  // A finished upgrade returns its final status as its result: no worker needed to read it.
  const status =
    workflowStatus === 'COMPLETED'
      ? ((await handle.result()) as UpgradeStatus)
      : await query(client, 'status', queryTimeoutSeconds, () => handle.query(statusQuery));

  let migrationProgress: StatusSnapshot['migrationProgress'] = null;
  if (status.steps.find((s) => s.id === 'migrate.credit-memos')?.state === 'running') {
    const canary = `${workflowId}-credit-memos-canary`; // steps/canary.ts: the first N memos, before the rest
    for (const id of [`${workflowId}-credit-memos`, canary, `${workflowId}-credit-memos-dry-run`]) {
      const child = client.workflow.getHandle(id);
      try {
        if ((await child.describe()).status.name !== 'RUNNING') continue;
        migrationProgress = {
          workflowId: id,
          ...(await query(client, 'progress', queryTimeoutSeconds, () => child.query(progressQuery))),
        };
        break;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // not started yet
      }
    }
  }
  return { workflowStatus, status, migrationProgress };
}

function render(s: StatusSnapshot): string {
  const out = [renderChecklist(s.status, s.workflowStatus)];
  if (s.migrationProgress) {
    out.push('', `Migration (${s.migrationProgress.workflowId}):`, `  ${progressBar(s.migrationProgress)}`);
  }
  return out.join('\n');
}

type StatusOptions = {
  tenant: string;
  watch?: boolean;
  interval: number;
  queryTimeout: number;
  json?: boolean;
  printTemporalCli?: boolean;
};

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Where the upgrade of a tenant stands: the checklist, the migration progress, what to do next')
    .addOption(tenantOption())
    .option('--watch', 'redraw until the upgrade ends (exit 0 when it completed, 1 when it failed or was stopped)')
    .option('--interval <seconds>', 'how often --watch redraws', numberParser(0.2), 2)
    .option('--query-timeout <seconds>', 'how long to wait for a worker to answer', numberParser(0.1), 15)
    .addOption(jsonOption())
    .option('--print-temporal-cli', 'print the equivalent `temporal workflow query` command instead')
    .action(async (o: StatusOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (o.printTemporalCli) {
        process.stdout.write(
          shellLine([
            'temporal',
            'workflow',
            'query',
            ...ctx.temporalCliFlags(),
            '--workflow-id',
            upgradeWorkflowId(o.tenant),
            '--name',
            'status',
          ]) + '\n',
        );
        return;
      }
      const client = await ctx.temporal();
      if (!o.watch) {
        const s = await readStatus(client, o.tenant, o.queryTimeout);
        process.stdout.write((o.json ? JSON.stringify(s) : render(s)) + '\n');
        return;
      }
      const tty = process.stdout.isTTY === true;
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      for (;;) {
        const s = await readStatus(client, o.tenant, o.queryTimeout);
        // On a terminal redraw in place; in a pipe or log, one snapshot after another.
        const text = o.json ? JSON.stringify(s) : render(s);
        process.stdout.write(tty && !o.json ? `\x1b[2J\x1b[H${text}\n` : `${text}\n${o.json ? '' : '\n'}`);
        if (s.workflowStatus !== 'RUNNING') {
          process.exitCode = s.workflowStatus === 'COMPLETED' ? EXIT.ok : EXIT.failure;
          return;
        }
        await new Promise((r) => setTimeout(r, o.interval * 1000));
        if (stop) return;
      }
    });
}
