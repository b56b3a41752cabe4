// The brake and throttle of a running credit memo migration (issue 14 §2): pause-migration, resume-migration and
// set-concurrency send pause / resume / setConcurrency to the migrateCreditMemos workflow — the upgrade's child
// is-upgrade-<tenant>-credit-memos, or any standalone one with --workflow-id. The upgrade's own `pause` holds it
// between steps; these act inside the bulk update, at batch granularity (docs/product.md).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { Option, type Command } from 'commander';
import {
  MIGRATION_CONTROL_DEFINITIONS,
  migrationControlSchemas,
  type MigrationControlName,
} from '../../shared/migration-control';
import { tenantIdSchema } from '../../shared/migration';
import { upgradeWorkflowId, type MessageOutcome } from '../../shared/upgrade';
import { describeZodError } from '../../shared/zod-errors';
import { contextOf, intParser, jsonOption, zodParser } from '../cli/options';
import { defaultOperator, operatorOf } from '../cli/operator';
import { CliError, EXIT } from '../cli/exit-codes';
import { shellLine } from '../cli/shell';

type ControlOptions = {
  tenant?: string;
  workflowId?: string;
  by?: string;
  signal?: boolean;
  printTemporalCli?: boolean;
  json?: boolean;
} & Record<string, unknown>;

/** The upgrade's migration child, by tenant. */
export const migrationWorkflowId = (tenantId: string) => `${upgradeWorkflowId(tenantId)}-credit-memos`;

function withControlFlags(cmd: Command): Command {
  const who = defaultOperator();
  return cmd
    .addOption(
      new Option('--tenant <tenantId>', "the tenant whose upgrade's migration it is (is-upgrade-<tenant>-credit-memos)")
        .argParser(zodParser(tenantIdSchema))
        .conflicts('workflowId'),
    )
    .option('--workflow-id <id>', 'a standalone migrateCreditMemos workflow instead')
    .option(
      '--by <who>',
      `who sends this, for the record (default: IS_OPERATOR or the OS user${who ? `: ${who}` : ''})`,
    )
    .option('--signal', 'send a signal (fire and forget) instead of an update (answered at once)')
    .option('--print-temporal-cli', 'print the equivalent `temporal workflow …` command instead of sending')
    .addOption(jsonOption());
}

function action(name: MigrationControlName, payload: (o: ControlOptions) => Record<string, unknown>) {
  return async (o: ControlOptions, cmd: Command) => {
    const workflowId = o.workflowId ?? (o.tenant ? migrationWorkflowId(o.tenant) : undefined);
    if (!workflowId) throw new CliError('say which migration: --tenant <tenantId> or --workflow-id <id>', EXIT.usage);
    const body = { by: operatorOf(o.by), ...payload(o) };
    const parsed = migrationControlSchemas[name].safeParse(body);
    if (!parsed.success) throw new CliError(`Invalid ${name}: ${describeZodError(parsed.error)}`, EXIT.usage);
    const ctx = contextOf(cmd);
    const out = (json: object, text: string) => process.stdout.write((o.json ? JSON.stringify(json) : text) + '\n');
    if (o.printTemporalCli) {
      const verb = o.signal ? ['signal'] : ['update', 'execute'];
      const line = ['temporal', 'workflow', ...verb, ...ctx.temporalCliFlags(), '--workflow-id', workflowId];
      process.stdout.write(shellLine([...line, '--name', name, '--input', JSON.stringify(body)]) + '\n');
      return;
    }
    const client = await ctx.temporal();
    const handle = client.workflow.getHandle(workflowId);
    const def = MIGRATION_CONTROL_DEFINITIONS[name] as unknown as {
      signal: SignalDefinition<[unknown]>;
      update: UpdateDefinition<MessageOutcome, [unknown]>;
    };
    try {
      if (o.signal) {
        await handle.signal(def.signal, body);
        out(
          { sent: 'signal', name, workflowId },
          `Signal ${name} sent to ${workflowId}. A signal is not answered: \`is-upgrade status\` (or the ` +
            'progress query) shows whether it was taken.',
        );
        return;
      }
      const outcome = await handle.executeUpdate(def.update, { args: [body] });
      out({ sent: 'update', name, workflowId, ...outcome }, `${outcome.outcome}: ${outcome.message}`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        throw new CliError(
          `No running migration ${workflowId} in namespace ${client.options.namespace}: it has not started (the ` +
            'upgrade starts it after approve-migration) or it has finished.',
          EXIT.notFound,
          { cause: err },
        );
      }
      throw err;
    }
  };
}

export function registerMigrationControl(program: Command): void {
  withControlFlags(
    program
      .command('pause-migration')
      .description('Stop the running credit memo bulk update at the next batch; batches in flight finish [pause]')
      .requiredOption('--reason <text>', 'why, e.g. "Zuora support asked us to hold"'),
  ).action(action('pause', (o) => ({ reason: o.reason })));

  withControlFlags(
    program
      .command('resume-migration')
      .description('Let a paused bulk update go on from where it stopped [resume]')
      .addOption(
        new Option('--breaker <on|off>', '"off": go on without the breaker for the rest of this migration').choices([
          'on',
          'off',
        ]),
      ),
  ).action(action('resume', (o) => (o.breaker ? { breaker: o.breaker } : {})));

  withControlFlags(
    program
      .command('set-concurrency')
      .description("Requests in flight at most, from the next batch on (1 to the tenant's limit) [setConcurrency]")
      .requiredOption('--concurrency <n>', 'requests in flight at most', intParser(1)),
  ).action(action('setConcurrency', (o) => ({ concurrency: o.concurrency })));
}
