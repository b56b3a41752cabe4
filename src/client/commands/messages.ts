// The commands that send a human message to an upgrade: one per human step (human-steps.ts) and the generic
// complete / approve / skip / retry / pause / resume.
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MIGRATION_SKIP_ACKNOWLEDGEMENT, MIGRATION_SKIP_RISK, type MessageName } from '../../shared/upgrade';
import { sendMessage } from '../cli/messages';
import { contextOf, jsonOption, stepOption, tenantOption } from '../cli/options';
import { defaultOperator, operatorOf } from '../cli/operator';
import { HUMAN_STEP_COMMANDS } from './human-steps';

type MessageOptions = {
  tenant: string;
  by?: string;
  signal?: boolean;
  printTemporalCli?: boolean;
  json?: boolean;
} & Record<string, unknown>;

/** The flags every message command has. */
function withMessageFlags(cmd: Command): Command {
  const who = defaultOperator();
  return cmd
    .addOption(tenantOption())
    .option(
      '--by <who>',
      `who sends this, for the audit log (default: IS_OPERATOR or the OS user${who ? `: ${who}` : ''})`,
    )
    .option('--signal', 'send a signal (fire and forget) instead of an update (answered at once)')
    .option('--print-temporal-cli', 'print the equivalent `temporal workflow …` command instead of sending')
    .addOption(jsonOption());
}

function action(name: MessageName, payload: (o: MessageOptions) => Record<string, unknown>) {
  return async (o: MessageOptions, cmd: Command) => {
    const body = { by: operatorOf(o.by), ...payload(o) };
    await sendMessage(contextOf(cmd), o.tenant, name, body, {
      signal: o.signal === true,
      printTemporalCli: o.printTemporalCli === true,
      json: o.json === true,
    });
  };
}

/** `--data key=value` (repeatable) → { key: value }. */
function collectData(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value (e.g. --data newInstanceId=8a1f…)`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerMessageCommands(program: Command): void {
  for (const c of HUMAN_STEP_COMMANDS) {
    const cmd = program.command(c.command).description(`${c.summary} [${c.message}, step ${c.stepId}]`);
    for (const f of c.flags) {
      const opt = new Option(f.flags, f.description);
      if (f.required) opt.makeOptionMandatory();
      cmd.addOption(opt);
    }
    withMessageFlags(cmd).action(action(c.message, (o) => c.payload(o as Record<string, string | undefined>)));
  }

  withMessageFlags(
    program
      .command('complete')
      .description('Mark any manual step done [completeStep]')
      .addOption(stepOption('the manual step that is done'))
      .option('--data <key=value>', 'step data, repeatable (ids only, never secrets)', collectData),
  ).action(
    action('completeStep', (o) => ({
      stepId: o.step,
      ...(o.data ? { data: o.data } : {}),
    })),
  );

  withMessageFlags(
    program
      .command('approve')
      .description('Pass the approval gate of a step, e.g. migrate.credit-memos [approveStep]')
      .addOption(stepOption('the gated step'))
      .option('--note <text>', 'why it is fine to go ahead'),
  ).action(action('approveStep', (o) => ({ stepId: o.step, ...(o.note ? { note: o.note } : {}) })));

  withMessageFlags(
    program
      .command('skip')
      .description('Skip a step that waits or failed, with a reason for the audit log [skipStep]')
      .addOption(stepOption('the step to skip'))
      .requiredOption('--reason <text>', 'why the step is skipped')
      .option(
        '--acknowledge <risk>',
        `needed to skip migrate.credit-memos: "${MIGRATION_SKIP_ACKNOWLEDGEMENT}" (${MIGRATION_SKIP_RISK})`,
      ),
  ).action(
    action('skipStep', (o) => ({
      stepId: o.step,
      reason: o.reason,
      ...(o.acknowledge !== undefined ? { acknowledge: o.acknowledge } : {}),
    })),
  );

  withMessageFlags(
    program
      .command('retry')
      .description(
        'Run a failed step again, or re-check prepare.verify-zuora-synced or prepare.readiness-preflight [retryStep]',
      )
      .addOption(stepOption('the step to retry')),
  ).action(action('retryStep', (o) => ({ stepId: o.step })));

  withMessageFlags(
    program
      .command('pause')
      .description('Hold the upgrade before its next step [pause]')
      .requiredOption('--reason <text>', 'why, e.g. "month-end close"'),
  ).action(action('pause', (o) => ({ reason: o.reason })));

  withMessageFlags(program.command('resume').description('Let a paused upgrade go on [resume]')).action(
    action('resume', () => ({})),
  );
}
