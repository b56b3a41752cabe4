// `is-upgrade schedules create|pause|resume|trigger|backfill|describe|delete --kind credit-memo|payment --tenant …`:
// the NetSuite→Zuora sync schedules (netsuite-credit-memo-sync-<tenant>, netsuite-payment-sync-<tenant>), through
// the same helpers the upgrade's activities use.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import {
  backfillSyncSchedule,
  deleteSyncSchedule,
  describeSyncSchedule,
  ensureSyncSchedule,
  pauseSyncSchedule,
  scheduleIdOf,
  triggerSyncSchedule,
  unpauseSyncSchedule,
  type ScheduleSummary,
} from '../../temporal/schedules';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue';
import {
  SYNC_WORKFLOW_TYPES,
  syncNetSuiteCreditMemosInputSchema,
  syncNetSuitePaymentsInputSchema,
  type SyncKind,
} from '../../shared/sync';
import { describeZodError } from '../../shared/zod-errors';
import { CliError, EXIT } from '../cli/exit-codes';
import { contextOf, jsonOption, tenantOption, zodParser } from '../cli/options';
import { shellLine } from '../cli/shell';
import { table, when } from '../render';

type Common = { kind: SyncKind; tenant: string; json?: boolean; printTemporalCli?: boolean };

const kindOption = () =>
  new Option('--kind <kind>', 'which sync').choices(Object.keys(SYNC_WORKFLOW_TYPES)).makeOptionMandatory();
const isoDateTime = z.iso.datetime({ offset: true, message: 'must be a date-time such as 2026-01-31T00:00:00Z' });
const interval = z.string().regex(/^\d+(m|h|d)$/, 'must be an interval such as "30m", "2h" or "1d"');

function notFound(kind: SyncKind, tenant: string): CliError {
  return new CliError(
    `No ${kind} sync schedule for tenant "${tenant}" (${scheduleIdOf(kind, tenant)}). ` +
      `Create it with: is-upgrade schedules create --kind ${kind} --tenant ${tenant}`,
    EXIT.notFound,
  );
}

function done(o: Common, summary: ScheduleSummary, text: string, deleted = false): void {
  if (!summary.exists && !deleted) throw notFound(o.kind, o.tenant);
  process.stdout.write((o.json ? JSON.stringify(summary) : text) + '\n');
}

/** The `temporal schedule …` line for --print-temporal-cli. */
function printed(cmd: Command, o: Common, args: string[]): boolean {
  if (!o.printTemporalCli) return false;
  const ctx = contextOf(cmd);
  process.stdout.write(
    shellLine([
      'temporal',
      'schedule',
      args[0]!,
      ...ctx.temporalCliFlags(),
      '--schedule-id',
      scheduleIdOf(o.kind, o.tenant),
      ...args.slice(1),
    ]) + '\n',
  );
  return true;
}

function sub(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .addOption(kindOption())
    .addOption(tenantOption())
    .addOption(jsonOption())
    .option('--print-temporal-cli', 'print the equivalent `temporal schedule …` command instead');
}

export function registerSchedules(program: Command): void {
  const schedules = program
    .command('schedules')
    .description('The NetSuite→Zuora sync schedules of a tenant (credit memos before the upgrade, payments after)');

  sub(schedules, 'create', 'Create the schedule (or unpause an existing one); idempotent')
    .option('--interval <every>', 'how often (Zuora advises at least 30m)', zodParser(interval), '30m')
    .option('--standard', 'credit memo sync: the standard sync (fully applied → Credit adjustment)')
    .option('--negative-balance', 'credit memo sync: the negative balance sync')
    .option('--cutover-date <YYYY-MM-DD>', 'NetSuite records dated before this are never synced')
    .option('--paused', 'create it paused')
    .option('--task-queue <name>', 'the workers’ task queue', process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
    .action(async (o: Common & Record<string, unknown>, cmd: Command) => {
      const raw =
        o.kind === 'credit-memo'
          ? { tenantId: o.tenant, standard: o.standard === true, negativeBalance: o.negativeBalance === true }
          : { tenantId: o.tenant };
      const input = typeof o.cutoverDate === 'string' ? { ...raw, cutoverDate: o.cutoverDate } : raw;
      const schema = o.kind === 'credit-memo' ? syncNetSuiteCreditMemosInputSchema : syncNetSuitePaymentsInputSchema;
      const parsed = schema.safeParse(input);
      if (!parsed.success) throw new CliError(`Invalid sync input: ${describeZodError(parsed.error)}`, EXIT.usage);
      if (
        printed(cmd, o, [
          'create',
          '--interval',
          String(o.interval),
          '--workflow-id',
          `${scheduleIdOf(o.kind, o.tenant)}-run`,
          '--task-queue',
          String(o.taskQueue),
          '--type',
          SYNC_WORKFLOW_TYPES[o.kind],
          '--overlap-policy',
          'Skip',
          '--input',
          JSON.stringify(input),
          ...(o.paused ? ['--paused'] : []),
        ])
      )
        return;
      const client = await contextOf(cmd).temporal();
      const s = await ensureSyncSchedule(client, {
        kind: o.kind,
        tenantId: o.tenant,
        interval: String(o.interval),
        input,
        taskQueue: String(o.taskQueue),
        paused: o.paused === true,
        note: 'created with is-upgrade schedules create',
      });
      done(o, s, `${s.created ? 'Created' : 'Already existed'}: ${s.scheduleId} (${s.paused ? 'paused' : 'running'}).`);
    });

  sub(schedules, 'pause', 'Pause the schedule (a running sync finishes)')
    .option('--note <text>', 'why', 'paused with is-upgrade')
    .action(async (o: Common & { note: string }, cmd: Command) => {
      if (printed(cmd, o, ['toggle', '--pause', '--reason', o.note])) return;
      const s = await pauseSyncSchedule(await contextOf(cmd).temporal(), o.kind, o.tenant, o.note);
      done(o, s, `Paused: ${s.scheduleId}.`);
    });

  sub(schedules, 'resume', 'Unpause the schedule')
    .option('--note <text>', 'why', 'resumed with is-upgrade')
    .action(async (o: Common & { note: string }, cmd: Command) => {
      if (printed(cmd, o, ['toggle', '--unpause', '--reason', o.note])) return;
      const s = await unpauseSyncSchedule(await contextOf(cmd).temporal(), o.kind, o.tenant, o.note);
      done(o, s, `Resumed: ${s.scheduleId}.`);
    });

  sub(schedules, 'trigger', 'Run the sync now (skipped if a run is still going)')
    .option('--allow-overlap', 'start even if a run is still going (two runs on the same records: rarely right)')
    .action(async (o: Common & { allowOverlap?: boolean }, cmd: Command) => {
      const overlap = o.allowOverlap ? ScheduleOverlapPolicy.ALLOW_ALL : ScheduleOverlapPolicy.SKIP;
      if (printed(cmd, o, ['trigger', '--overlap-policy', o.allowOverlap ? 'AllowAll' : 'Skip'])) return;
      const s = await triggerSyncSchedule(await contextOf(cmd).temporal(), o.kind, o.tenant, overlap);
      done(o, s, `Triggered: ${s.scheduleId}.`);
    });

  sub(schedules, 'backfill', 'Take the actions the schedule would have taken in a period (e.g. while down)')
    .addOption(
      new Option('--start <date-time>', 'from (ISO 8601)').argParser(zodParser(isoDateTime)).makeOptionMandatory(),
    )
    .addOption(new Option('--end <date-time>', 'to (ISO 8601)').argParser(zodParser(isoDateTime)).makeOptionMandatory())
    .action(async (o: Common & { start: string; end: string }, cmd: Command) => {
      if (Date.parse(o.end) <= Date.parse(o.start)) throw new CliError('--end must be after --start', EXIT.usage);
      if (printed(cmd, o, ['backfill', '--start-time', o.start, '--end-time', o.end, '--overlap-policy', 'Skip']))
        return;
      const s = await backfillSyncSchedule(await contextOf(cmd).temporal(), o.kind, o.tenant, {
        start: new Date(o.start),
        end: new Date(o.end),
      });
      done(o, s, `Backfill requested: ${s.scheduleId} from ${o.start} to ${o.end}.`);
    });

  sub(schedules, 'describe', 'State, interval, recent and next runs').action(async (o: Common, cmd: Command) => {
    if (printed(cmd, o, ['describe'])) return;
    const d = await describeSyncSchedule(await contextOf(cmd).temporal(), o.kind, o.tenant);
    if (!d) throw notFound(o.kind, o.tenant);
    const summary = {
      scheduleId: d.scheduleId,
      paused: d.state.paused,
      note: d.state.note ?? null,
      intervals: (d.spec.intervals ?? []).map((i) => `${Number(i.every) / 60_000}m`),
      workflowType: d.action.workflowType,
      taskQueue: d.action.taskQueue,
      input: d.action.args?.[0] ?? null,
      overlap: d.policies.overlap,
      actionsTaken: d.info.numActionsTaken,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      running: d.info.runningActions.map((a) => a.workflow.workflowId),
      recent: d.info.recentActions.map((a) => ({
        at: a.takenAt.toISOString(),
        workflowId: a.action.workflow.workflowId,
      })),
      next: d.info.nextActionTimes.map((t) => t.toISOString()),
    };
    if (o.json) {
      process.stdout.write(JSON.stringify(summary) + '\n');
      return;
    }
    process.stdout.write(
      table(
        ['field', 'value'],
        [
          ['schedule', summary.scheduleId],
          ['state', summary.paused ? `paused${summary.note ? ` (${summary.note})` : ''}` : 'running'],
          ['every', summary.intervals.join(', ')],
          ['workflow', `${summary.workflowType} on ${summary.taskQueue}`],
          ['input', JSON.stringify(summary.input)],
          ['overlap', String(summary.overlap)],
          ['actions taken', `${summary.actionsTaken} (${summary.skippedOverlap} skipped: overlap)`],
          ['running', summary.running.join(', ') || '—'],
          ['last run', when(summary.recent.at(-1)?.at) || '—'],
          ['next run', when(summary.next[0]) || '—'],
        ],
      ) + '\n',
    );
  });

  sub(schedules, 'delete', 'Delete the schedule (its finished runs stay in history)').action(
    async (o: Common, cmd: Command) => {
      if (printed(cmd, o, ['delete'])) return;
      const client = await contextOf(cmd).temporal();
      if (!(await describeSyncSchedule(client, o.kind, o.tenant))) throw notFound(o.kind, o.tenant);
      const s = await deleteSyncSchedule(client, o.kind, o.tenant);
      done(o, s, `Deleted: ${s.scheduleId}.`, true);
    },
  );
}
