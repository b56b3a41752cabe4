// `is-upgrade revert-migration --tenant … [--dry-run] [--yes] [--force --reason …]`: sets the memos of the
// migration's manifest back to their Transferred To Accounting before (workflow revertCreditMemoMigration). First a
// dry run (…-credit-memos-revert-dry-run) checks the gate and the manifest's sha256 and counts what would change;
// then, after a confirmation naming that count, the revert itself (…-credit-memos-revert) with the confirmed sha256.
import { WorkflowFailedError, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { Option, type Command } from 'commander';
import {
  revertDryRunWorkflowId,
  revertInputSchema,
  revertWorkflowId,
  type RevertInput,
  type RevertResult,
} from '../../shared/manifest';
import { DEFAULT_TASK_QUEUE } from '../../shared/task-queue';
import { describeZodError } from '../../shared/zod-errors';
import { confirmByTyping } from '../cli/confirm';
import { CliError, EXIT } from '../cli/exit-codes';
import { operatorOf } from '../cli/operator';
import { contextOf, jsonOption, tenantOption } from '../cli/options';

type RevertOptions = {
  tenant: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  reason?: string;
  by?: string;
  json?: boolean;
  taskQueue: string;
};

async function runRevert(client: Client, taskQueue: string, workflowId: string, input: RevertInput) {
  try {
    return (await client.workflow.execute('revertCreditMemoMigration', {
      taskQueue,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    })) as RevertResult;
  } catch (err) {
    // e.g. a manifest that does not match its sha256: the innermost failure says what is wrong.
    if (!(err instanceof WorkflowFailedError)) throw err;
    let cause: Error | undefined = err;
    while (cause?.cause instanceof Error) cause = cause.cause;
    throw new CliError(`The revert (${workflowId}) failed: ${cause?.message ?? err.message}`, EXIT.rejected, {
      cause: err,
    });
  }
}

export function describeRevert(r: RevertResult): string {
  const c = r.counts;
  return [
    `Manifest: ${r.manifest?.location ?? '—'} (${r.manifest?.changed ?? 0} memo(s) changed by the migration; ` +
      `sha256 ${r.manifest?.sha256 ?? '—'})`,
    r.dryRun
      ? `Would set back: ${c['would-set-back']}`
      : `Set back: ${c['set-back']}${c.refused ? `; refused by Zuora: ${c.refused}` : ''}`,
    `Already at their value before: ${c.already}`,
    `Changed by someone since the migration (left as they are): ${c['changed-since']}`,
    `Empty before, left Yes (Zuora takes no empty value): ${c['not-restorable']}`,
    r.forced ? `Forced by ${r.forced.by}: ${r.forced.reason}` : '',
    r.report ? `Report: ${r.report}` : '',
  ]
    .filter((l) => l.length > 0)
    .join('\n');
}

export function registerRevert(program: Command): void {
  program
    .command('revert-migration')
    .description(
      'Set the credit memos the migration changed (its manifest) back to their Transferred To Accounting before',
    )
    .addOption(tenantOption())
    .option('--dry-run', 'check and count only: nothing is written')
    .option('--yes', 'do not ask for confirmation')
    .option('--force', 'revert although the connector steps have started (needs --reason)')
    .option('--reason <text>', 'why (recorded in the revert audit file)')
    .option('--by <who>', 'who reverts (default: IS_OPERATOR or the OS user)')
    .addOption(jsonOption())
    .addOption(
      new Option('--task-queue <name>', 'the workers’ task queue').default(
        process.env.TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
      ),
    )
    .action(async (o: RevertOptions, cmd: Command) => {
      if (o.force && !o.reason)
        throw new CliError('--force needs --reason "…": it lands in the audit file', EXIT.usage);
      const raw = {
        tenantId: o.tenant,
        by: operatorOf(o.by),
        force: o.force === true,
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
      };
      const parsed = revertInputSchema.safeParse({ ...raw, dryRun: true });
      if (!parsed.success) throw new CliError(`Invalid revert: ${describeZodError(parsed.error)}`, EXIT.usage);
      const client = await contextOf(cmd).temporal();
      const out = (r: RevertResult) => process.stdout.write((o.json ? JSON.stringify(r) : describeRevert(r)) + '\n');

      const plan = await runRevert(client, o.taskQueue, revertDryRunWorkflowId(o.tenant), { ...raw, dryRun: true });
      if (plan.refused) throw new CliError(`Refused: ${plan.refused}`, EXIT.rejected);
      if (o.dryRun || plan.counts['would-set-back'] === 0) {
        out(plan);
        if (!o.dryRun) process.stderr.write('Nothing to set back.\n');
        return;
      }
      if (!o.json) process.stderr.write(describeRevert(plan) + '\n');
      const n = String(plan.counts['would-set-back']);
      const go = await confirmByTyping(
        `Set ${n} credit memo(s) of tenant ${o.tenant} back to their Transferred To Accounting before the migration?`,
        n,
        { yes: o.yes },
      );
      if (!go) throw new CliError('Not confirmed: nothing was set back.', EXIT.rejected);
      const done = await runRevert(client, o.taskQueue, revertWorkflowId(o.tenant), {
        ...raw,
        dryRun: false,
        expectedSha256: plan.manifest!.sha256,
      });
      if (done.refused) throw new CliError(`Refused: ${done.refused}`, EXIT.rejected);
      out(done);
    });
}
