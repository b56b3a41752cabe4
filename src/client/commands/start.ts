// `is-upgrade start`: one upgrade per tenant (workflow id is-upgrade-<tenant>, REJECT_DUPLICATE), options as flags.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { IS_TENANT_ID } from '../../shared/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue';
import {
  CONNECTOR_PATHS,
  upgradeInputSchema,
  upgradeWorkflowId,
  type ConnectorPath,
  type UpgradeInput,
} from '../../shared/upgrade';
import { upgradeMetadata } from '../../shared/web-ui';
import { describeZodError } from '../../shared/zod-errors';
import { CliError, EXIT } from '../cli/exit-codes';
import { defaultOperator } from '../cli/operator';
import { contextOf, intParser, jsonOption, tenantOption } from '../cli/options';
import { shellLine } from '../cli/shell';

type StartOptions = {
  tenant: string;
  oldInstance: string;
  taskQueue: string;
  reminderInterval?: string;
  escalationAfter?: string;
  tenantConcurrencyLimit?: number;
  migrationConcurrencyBudget?: number;
  migrationChunkRows?: number;
  migrationHeartbeatTimeout?: number;
  migrationCanaryMemos?: number;
  dryRun?: boolean;
  paymentSyncInterval?: string;
  paymentCutoverDate?: string;
  connectorPath?: ConnectorPath;
  by?: string;
  approver?: string[];
  twoPersonRule?: boolean;
  printTemporalCli?: boolean;
  json?: boolean;
};

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Start the Invoice Settlement upgrade of a tenant (one per tenant)')
    .addOption(tenantOption())
    .requiredOption('--old-instance <id>', 'the NetSuite connector instance id in use today')
    .option('--task-queue <name>', 'the workers’ task queue', process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE)
    .option('--reminder-interval <duration>', 'remind while waiting on Zuora support (default 24h)')
    .option('--escalation-after <duration>', 'escalate a wait on Zuora support after (default 5d)')
    .option('--tenant-concurrency-limit <n>', "the tenant's concurrent request limit (default 40)", intParser(1))
    .option('--migration-concurrency-budget <n>', 'requests in flight at most (default 80% of the limit)', intParser(1))
    .option('--migration-chunk-rows <n>', 'rows per migration activity (default 100000)', intParser(50))
    .option(
      '--migration-heartbeat-timeout <seconds>',
      'resume a dead worker’s chunk after (default 30)',
      intParser(2, 600),
    )
    .option(
      '--migration-canary-memos <n>',
      'memos written first, then a second approval releases the rest (default 50; 0: no canary)',
      intParser(0, 10_000),
    )
    .option('--dry-run', 'rehearsal: the migration only dry-runs, syncs write nothing, schedules stay as they are')
    .option(
      '--payment-sync-interval <duration>',
      'interval of the payment sync schedule created at the end (default 30m)',
    )
    .option('--payment-cutover-date <YYYY-MM-DD>', 'NetSuite payments before this date are never synced')
    .addOption(
      new Option(
        '--connector-path <path>',
        'support-ticket (new ids from Zuora) or reuse-existing-ids (seed 001); default: decided at the ticket step',
      ).choices(CONNECTOR_PATHS),
    )
    .option('--by <who>', 'who starts the upgrade (default: $IS_OPERATOR, else your user name)')
    .option(
      '--approver <who>',
      'only these may approve the approval gates (repeat for each; default: anyone)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--two-person-rule', 'whoever approves must not be the one who started the upgrade (--by)')
    .option('--print-temporal-cli', 'print the equivalent `temporal workflow start` command instead of starting')
    .addOption(jsonOption())
    .action(async (o: StartOptions, cmd: Command) => {
      const options = Object.fromEntries(
        Object.entries({
          reminderInterval: o.reminderInterval,
          escalationAfter: o.escalationAfter,
          tenantConcurrencyLimit: o.tenantConcurrencyLimit,
          migrationConcurrencyBudget: o.migrationConcurrencyBudget,
          migrationChunkRows: o.migrationChunkRows,
          migrationHeartbeatTimeoutSeconds: o.migrationHeartbeatTimeout,
          migrationCanaryMemos: o.migrationCanaryMemos,
          dryRun: o.dryRun,
          paymentSyncInterval: o.paymentSyncInterval,
          paymentCutoverDate: o.paymentCutoverDate,
          connectorPath: o.connectorPath,
          approvals:
            o.approver || o.twoPersonRule
              ? {
                  ...(o.approver ? { approvers: o.approver } : {}),
                  ...(o.twoPersonRule ? { twoPersonRule: true } : {}),
                }
              : undefined,
        }).filter(([, v]) => v !== undefined),
      );
      const by = o.by ?? defaultOperator();
      // Only what was given goes to the workflow: its defaults stay the workflow's.
      const input: UpgradeInput = {
        tenantId: o.tenant,
        oldConnectorInstanceId: o.oldInstance,
        ...(Object.keys(options).length > 0 ? { options } : {}),
        ...(by !== undefined ? { by } : {}),
      };
      const parsed = upgradeInputSchema.safeParse(input);
      if (!parsed.success)
        throw new CliError(`Invalid start input: ${flagNames(describeZodError(parsed.error))}`, EXIT.usage);

      const ctx = contextOf(cmd);
      const workflowId = upgradeWorkflowId(o.tenant);
      const metadata = upgradeMetadata({ tenantId: o.tenant, oldConnectorInstanceId: o.oldInstance, dryRun: o.dryRun });
      if (o.printTemporalCli) {
        process.stdout.write(
          shellLine([
            'temporal',
            'workflow',
            'start',
            ...ctx.temporalCliFlags(),
            '--task-queue',
            o.taskQueue,
            '--type',
            'invoiceSettlementUpgrade',
            '--workflow-id',
            workflowId,
            '--id-reuse-policy',
            'RejectDuplicate',
            '--input',
            JSON.stringify(input),
            '--static-summary',
            metadata.staticSummary,
            '--static-details',
            metadata.staticDetails,
          ]) + '\n',
        );
        return;
      }
      const client = await ctx.temporal();
      try {
        const handle = await client.workflow.start('invoiceSettlementUpgrade', {
          taskQueue: o.taskQueue,
          workflowId,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          typedSearchAttributes: [{ key: IS_TENANT_ID, value: o.tenant }],
          ...metadata,
        });
        if (o.json) {
          process.stdout.write(JSON.stringify({ workflowId, runId: handle.firstExecutionRunId, input }) + '\n');
        } else {
          process.stdout.write(
            `Started the upgrade of tenant ${o.tenant}: workflow ${workflowId} (run ${handle.firstExecutionRunId}).\n` +
              `Follow it with: is-upgrade status --tenant ${o.tenant} --watch\n`,
          );
        }
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          throw new CliError(
            `An upgrade of tenant "${o.tenant}" already exists (workflow ${workflowId}); there is one per tenant and ` +
              `it is never started twice. See it with: is-upgrade status --tenant ${o.tenant}`,
            EXIT.alreadyExists,
          );
        }
        throw err;
      }
    });
}

/** Schema paths (options.reminderInterval) → the flags a person typed (--reminder-interval). */
function flagNames(text: string): string {
  const map: Record<string, string> = {
    'options.approvals.approvers': '--approver',
    'options.approvals.twoPersonRule': '--two-person-rule',
    oldConnectorInstanceId: '--old-instance',
    tenantId: '--tenant',
    'options.migrationHeartbeatTimeoutSeconds': '--migration-heartbeat-timeout',
  };
  return text.replace(/\b(options(?:\.\w+)+|oldConnectorInstanceId|tenantId)\b/g, (path) => {
    const m = path.replace(/\.\d+$/, ''); // an item of a list flag is the flag
    if (map[m]) return map[m];
    const name = m.replace(/^options\./, '').replace(/^\w+\./, '');
    return '--' + name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  });
}
