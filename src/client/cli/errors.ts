// Turns what the Temporal client throws into messages a person can act on, with an exit code scripts can test.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { CommanderError } from 'commander';
import { escapeTerminal } from '../../shared/escape';
import { CliError, EXIT } from './exit-codes';

/** Error classes that carry a person-facing message; everything else is a failure whose stack --verbose shows. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof WorkflowUpdateFailedError) {
    // The workflow's validator or handler refused: its message is the reason (e.g. "step … is not waiting").
    // It may echo what was sent (an unknown key): shown, never interpreted by the terminal.
    const reason = escapeTerminal(err.cause?.message ?? err.message);
    return new CliError(`Refused by the workflow: ${reason}`, EXIT.rejected, { cause: err });
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new CliError(`Workflow ${err.workflowId} already exists.`, EXIT.alreadyExists, { cause: err });
  }
  if (err instanceof WorkflowNotFoundError) {
    return new CliError(`Workflow ${err.workflowId} not found.`, EXIT.notFound, { cause: err });
  }
  if (err instanceof CommanderError) return new CliError(err.message, EXIT.usage, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new CliError(message, EXIT.failure, { cause: err });
}

/**
 * A WorkflowNotFoundError means either "no such workflow" or "it has already closed" (signals and updates only
 * reach running workflows). Describe tells which, so the message says what to do.
 */
export async function explainNotFound(client: Client, workflowId: string, tenantId: string): Promise<CliError> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return new CliError(
      `The upgrade of tenant "${tenantId}" (${workflowId}) has already finished (${d.status.name}): ` +
        'it takes no more messages. `is-upgrade status` shows how it ended.',
      EXIT.rejected,
    );
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return new CliError(
      `No upgrade for tenant "${tenantId}": workflow ${workflowId} does not exist in namespace ` +
        `${client.options.namespace}. \`is-upgrade list\` shows the upgrades; \`is-upgrade start\` starts one.`,
      EXIT.notFound,
    );
  }
}
