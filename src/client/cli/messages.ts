// Sends one of the upgrade's human messages: as an update by default (the caller learns at once whether the
// workflow took it), as a signal with --signal, or only prints the equivalent `temporal` command.
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import {
  MESSAGES,
  MESSAGE_DEFINITIONS,
  upgradeWorkflowId,
  type MessageName,
  type MessageOutcome,
} from '../../shared/upgrade';
import { describeZodError } from '../../shared/zod-errors';
import type { CliContext } from './context';
import { explainNotFound } from './errors';
import { CliError, EXIT } from './exit-codes';
import { shellLine } from './shell';

export type SendMode = { signal: boolean; printTemporalCli: boolean; json: boolean };

const DEFINITIONS = MESSAGE_DEFINITIONS;

/** The `temporal workflow update execute|signal …` line that sends the same message. */
export function temporalCliLine(
  ctx: CliContext,
  tenantId: string,
  name: MessageName,
  payload: unknown,
  signal: boolean,
): string {
  return shellLine([
    'temporal',
    'workflow',
    ...(signal ? ['signal'] : ['update', 'execute']),
    ...ctx.temporalCliFlags(),
    '--workflow-id',
    upgradeWorkflowId(tenantId),
    '--name',
    name,
    '--input',
    JSON.stringify(payload),
  ]);
}

export async function sendMessage(
  ctx: CliContext,
  tenantId: string,
  name: MessageName,
  payload: Record<string, unknown>,
  mode: SendMode,
): Promise<void> {
  // The contract's own schema first: a malformed message is refused here, with the message the workflow would give.
  const parsed = MESSAGES[name].safeParse(payload);
  if (!parsed.success) throw new CliError(`Invalid ${name}: ${describeZodError(parsed.error)}`, EXIT.usage);

  if (mode.printTemporalCli) {
    process.stdout.write(temporalCliLine(ctx, tenantId, name, payload, mode.signal) + '\n');
    return;
  }
  const client = await ctx.temporal();
  const workflowId = upgradeWorkflowId(tenantId);
  const handle: WorkflowHandle = client.workflow.getHandle(workflowId);
  // One message name at a time: the union of definitions is narrowed to "any of them" for the call.
  const def = DEFINITIONS[name] as unknown as {
    signal: SignalDefinition<[unknown]>;
    update: UpdateDefinition<MessageOutcome, [unknown]>;
  };
  try {
    if (mode.signal) {
      await handle.signal(def.signal, payload);
      write(
        mode,
        { sent: 'signal', name, workflowId },
        () =>
          `Signal ${name} sent to ${workflowId}. A signal is not answered: the workflow records it in its audit ` +
          'log (a bad one as rejected). Check with `is-upgrade status`.',
      );
      return;
    }
    const outcome = await handle.executeUpdate(def.update, { args: [payload] });
    write(mode, { sent: 'update', name, workflowId, ...outcome }, () => `${outcome.outcome}: ${outcome.message}`);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await explainNotFound(client, workflowId, tenantId);
    throw err;
  }
}

function write(mode: SendMode, json: object, text: () => string): void {
  process.stdout.write((mode.json ? JSON.stringify(json) : text()) + '\n');
}
