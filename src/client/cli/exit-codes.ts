// Exit codes scripts can rely on (documented in the README's operator guide). Change them only with a versioned plan.
export const EXIT = {
  ok: 0,
  /** Anything unexpected (a bug, a worker that does not answer, an I/O error). */
  failure: 1,
  /** Bad flags or a message that fails the contract's schema: nothing was sent. */
  usage: 2,
  /** No such upgrade, schedule or report file. */
  notFound: 3,
  /** No Temporal server answered at the address tried. */
  unreachable: 4,
  /** The workflow (or Temporal) refused: an update's validator, a finished upgrade. */
  rejected: 5,
  /** `start`: an upgrade with this workflow id already exists. */
  alreadyExists: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the person at the terminal can act on: its message is printed as is, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}
