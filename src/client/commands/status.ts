// `is-upgrade status`: the checklist as a table, the running migration as a progress bar; --watch redraws it until
// the upgrade ends, --json prints the status query's answer as is (plus the migration progress).
import { QueryRejectedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { IS_UPGRADE_PHASE, IS_WAITING_ON } from '../../shared/search-attributes';
import type { Command } from 'commander';
import { progressQuery, type MigrationProgress } from '../../shared/migration';
import { statusQuery, upgradeWorkflowId, type UpgradeStatus } from '../../shared/upgrade';
import { explainNotFound } from '../cli/errors';
import { CliError, EXIT } from '../cli/exit-codes';
import { contextOf, jsonOption, numberParser, tenantOption } from '../cli/options';
import { shellLine } from '../cli/shell';
import { progressBar, renderChecklist, when } from '../render';
import { clip } from '../../shared/text';

/** A query is answered by a worker: without one it would hang, so it gets a deadline and a clear message. */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 15;

/** Workflow Pause (server 1.32+, experimental): the server runs nothing of the workflow until it is unpaused. */
export type ServerPause = { by: string; at: string | null; reason: string };

export type StatusSnapshot = {
  workflowStatus: string;
  /** Set while the workflow is paused on the server (`temporal workflow pause`), not by the upgrade's pause. */
  serverPause?: ServerPause;
  status: UpgradeStatus;
  migrationProgress: (MigrationProgress & { workflowId: string }) | null;
};

async function query<T>(client: Client, what: string, timeoutSeconds: number, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await client.withDeadline(started + timeoutSeconds * 1000, fn);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || err instanceof QueryRejectedError) throw err;
    // The client wraps the gRPC error in a ServiceError "Failed to query Workflow". Usually DEADLINE_EXCEEDED
    // (code 4), but under load the call can also end CANCELLED (1) or with the server's own timeout; whatever
    // the code, a call that failed once its deadline had passed found no worker to answer it.
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const message = `${(err as Error).message ?? String(err)} ${String(cause?.message ?? '')}`;
    const pastDeadline = Date.now() - started >= timeoutSeconds * 1000 - 50;
    if (cause?.code === 4 || cause?.code === 1 || pastDeadline || /deadline|timed? ?out/i.test(message)) {
      throw new CliError(
        `No worker answered the ${what} query within ${timeoutSeconds}s: is the worker running ` +
          '(`npm start`, or `npm run worker` against this server) on the upgrade’s task queue?' +
          (cause?.message ? ` (server: ${clip(String(cause.message), 200)})` : ''),
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
  let serverPause: ServerPause | undefined;
  let lastPublished: { phase: string | null; waitingOn: string | null } = { phase: null, waitingOn: null };
  try {
    const d = await handle.describe();
    workflowStatus = d.status.name;
    if (workflowStatus === 'PAUSED') {
      serverPause = serverPauseOf(d.raw.workflowExtendedInfo?.pauseInfo);
      lastPublished = {
        phase: d.typedSearchAttributes.get(IS_UPGRADE_PHASE) ?? null,
        waitingOn: d.typedSearchAttributes.get(IS_WAITING_ON) ?? null,
      };
    }
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await explainNotFound(client, workflowId, tenantId);
    throw err;
  }
  // A finished upgrade returns its final status as its result: no worker needed to read it.
  let status: UpgradeStatus;
  try {
    status =
      workflowStatus === 'COMPLETED'
        ? ((await handle.result()) as UpgradeStatus)
        : await query(client, 'status', queryTimeoutSeconds, () => handle.query(statusQuery));
  } catch (err) {
    // Server 1.32 rejects every query of a paused workflow ("Query rejected"): say what is going on instead.
    if (serverPause && err instanceof QueryRejectedError)
      throw new PausedOnServer(workflowId, serverPause, lastPublished);
    throw err;
  }

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
  return { workflowStatus, ...(serverPause ? { serverPause } : {}), status, migrationProgress };
}

/**
 * The upgrade is paused on the server and the server answers no query: what describe and the search attributes the
 * workflow last published still say. `status` prints it and exits 0; the other commands fail with its message.
 */
export class PausedOnServer extends CliError {
  constructor(
    readonly workflowId: string,
    readonly serverPause: ServerPause,
    readonly lastPublished: { phase: string | null; waitingOn: string | null },
  ) {
    super(
      `PAUSED ON THE SERVER (Workflow Pause) by ${clip(serverPause.by, 200)}` +
        `${serverPause.at ? ` at ${when(serverPause.at)}` : ''}: ${clip(serverPause.reason, 1_000)}. ` +
        `Nothing of the upgrade runs until: temporal workflow unpause --workflow-id ${workflowId}\n` +
        `Last published: phase ${lastPublished.phase ?? '?'}, waiting on ${lastPublished.waitingOn ?? '?'} ` +
        '(the checklist is not available: the server answers no query of a paused workflow).',
      EXIT.failure,
    );
    this.name = 'PausedOnServer';
  }

  toJSON() {
    return {
      workflowStatus: 'PAUSED',
      workflowId: this.workflowId,
      serverPause: this.serverPause,
      lastPublished: this.lastPublished,
    };
  }
}

/** The pause as describe reports it (workflowExtendedInfo.pauseInfo: identity, pausedTime, reason). */
function serverPauseOf(
  info:
    { identity?: string | null; reason?: string | null; pausedTime?: { seconds?: unknown } | null } | null | undefined,
): ServerPause {
  const seconds = Number(info?.pausedTime?.seconds ?? NaN);
  return {
    by: info?.identity || 'unknown',
    at: Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : null,
    reason: info?.reason || '(no reason given)',
  };
}

/** Live: the workflow can still move on (running, or paused on the server until someone unpauses it). */
export const isLive = (workflowStatus: string) => workflowStatus === 'RUNNING' || workflowStatus === 'PAUSED';

function render(s: StatusSnapshot): string {
  const out = [renderChecklist(s.status, s.workflowStatus)];
  if (s.serverPause) {
    const p = s.serverPause;
    out.unshift(
      `PAUSED ON THE SERVER (Workflow Pause) by ${clip(p.by, 200)}${p.at ? ` at ${when(p.at)}` : ''}: ` +
        `${clip(p.reason, 1_000)}. Nothing of the upgrade runs until: temporal workflow unpause --workflow-id ` +
        `${s.status.workflowId}`,
      '',
    );
  }
  if (s.migrationProgress) {
    out.push('', `Migration (${s.migrationProgress.workflowId}):`, `  ${progressBar(s.migrationProgress)}`);
    if (s.migrationProgress.control?.paused) {
      out.push('', `Next: is-upgrade resume-migration --tenant ${s.status.tenantId}   (after reading why it paused)`);
    }
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
      /** The snapshot as text or JSON; a workflow paused on the server is an answer, not an error. */
      const read = async (): Promise<{ text: string; live: boolean; completed: boolean }> => {
        try {
          const s = await readStatus(client, o.tenant, o.queryTimeout);
          const text = o.json ? JSON.stringify(s) : render(s);
          return { text, live: isLive(s.workflowStatus), completed: s.workflowStatus === 'COMPLETED' };
        } catch (err) {
          if (!(err instanceof PausedOnServer)) throw err;
          return { text: o.json ? JSON.stringify(err.toJSON()) : err.message, live: true, completed: false };
        }
      };
      if (!o.watch) {
        process.stdout.write((await read()).text + '\n');
        return;
      }
      const tty = process.stdout.isTTY === true;
      let stop = false;
      process.once('SIGINT', () => (stop = true));
      for (;;) {
        const { text, live, completed } = await read();
        // On a terminal redraw in place; in a pipe or log, one snapshot after another.
        process.stdout.write(tty && !o.json ? `\x1b[2J\x1b[H${text}\n` : `${text}\n${o.json ? '' : '\n'}`);
        if (!live) {
          process.exitCode = completed ? EXIT.ok : EXIT.failure;
          return;
        }
        await new Promise((r) => setTimeout(r, o.interval * 1000));
        if (stop) return;
      }
    });
}
