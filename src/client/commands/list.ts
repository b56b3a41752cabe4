// `is-upgrade list`: every upgrade with its phase and what it waits on, from the search attributes the workflow
// keeps up to date (IsTenantId, IsUpgradePhase, IsWaitingOn) — the same filter works in the Web UI.
import { Option, type Command } from 'commander';
import { IS_TENANT_ID, IS_UPGRADE_PHASE, IS_WAITING_ON } from '../../shared/search-attributes';
import { contextOf, intParser, jsonOption } from '../cli/options';
import { shellLine } from '../cli/shell';
import { table, when } from '../render';

type ListOptions = {
  waitingOn?: string;
  phase?: string;
  all?: boolean;
  limit: number;
  json?: boolean;
  printTemporalCli?: boolean;
};

export function visibilityQuery(o: Pick<ListOptions, 'waitingOn' | 'phase' | 'all'>): string {
  const clauses = [`WorkflowType = 'invoiceSettlementUpgrade'`];
  // A workflow paused on the server (Workflow Pause) is still an upgrade under way: listed, with status PAUSED.
  if (!o.all) clauses.push(`ExecutionStatus IN ('Running', 'Paused')`);
  if (o.waitingOn) clauses.push(`${IS_WAITING_ON.name} = '${o.waitingOn}'`);
  if (o.phase) clauses.push(`${IS_UPGRADE_PHASE.name} = '${o.phase}'`);
  return clauses.join(' AND ');
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('Every running upgrade with its phase and what it waits on')
    .addOption(
      new Option('--waiting-on <who>', 'only upgrades waiting on…').choices(['operator', 'zuora-support', 'nothing']),
    )
    .addOption(
      new Option('--phase <phase>', 'only upgrades in…').choices([
        'prepare',
        'enable',
        'migrate',
        'connector',
        'payments',
        'schedules',
        'done',
      ]),
    )
    .option('--all', 'finished upgrades too')
    .option('--limit <n>', 'at most this many', intParser(1, 10_000), 1000)
    .addOption(jsonOption())
    .option('--print-temporal-cli', 'print the equivalent `temporal workflow list` command instead')
    .action(async (o: ListOptions, cmd: Command) => {
      const ctx = contextOf(cmd);
      const query = visibilityQuery(o);
      if (o.printTemporalCli) {
        process.stdout.write(
          shellLine(['temporal', 'workflow', 'list', ...ctx.temporalCliFlags(), '--query', query]) + '\n',
        );
        return;
      }
      const client = await ctx.temporal();
      const rows: {
        tenant: string;
        workflowId: string;
        status: string;
        phase: string;
        waitingOn: string;
        started: string;
      }[] = [];
      for await (const w of client.workflow.list({ query })) {
        rows.push({
          tenant: w.typedSearchAttributes.get(IS_TENANT_ID) ?? w.workflowId.replace(/^is-upgrade-/, ''),
          workflowId: w.workflowId,
          status: w.status.name,
          phase: w.typedSearchAttributes.get(IS_UPGRADE_PHASE) ?? '',
          waitingOn: w.typedSearchAttributes.get(IS_WAITING_ON) ?? '',
          started: w.startTime.toISOString(),
        });
        if (rows.length >= o.limit) break;
      }
      rows.sort((a, b) => a.tenant.localeCompare(b.tenant));
      if (o.json) {
        process.stdout.write(JSON.stringify({ query, upgrades: rows }) + '\n');
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(`No upgrades match (${query}).\n`);
        return;
      }
      process.stdout.write(
        table(
          ['tenant', 'workflow id', 'status', 'phase', 'waiting on', 'started'],
          rows.map((r) => [r.tenant, r.workflowId, r.status, r.phase, r.waitingOn, when(r.started)]),
        ) + '\n',
      );
    });
}
