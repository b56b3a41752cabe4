// A confirmation before an irreversible or large change: the prompt names what will happen (e.g. the count), and the
// person types that count back (a bare "y" is too easy to give by habit). `--yes` skips it; without a terminal and
// without --yes, nothing is done (exit 2).
import { createInterface } from 'node:readline/promises';
import { CliError, EXIT } from './exit-codes';

export type ConfirmIO = { input: NodeJS.ReadableStream & { isTTY?: boolean }; output: NodeJS.WritableStream };

/** True when the answer is exactly `expected`; throws a usage error when no one can be asked. */
export async function confirmByTyping(
  question: string,
  expected: string,
  o: { yes?: boolean; io?: ConfirmIO } = {},
): Promise<boolean> {
  if (o.yes) return true;
  const io = o.io ?? { input: process.stdin, output: process.stderr };
  if (!io.input.isTTY && !o.io) {
    throw new CliError(`${question}\nNo terminal to confirm on: pass --yes to go ahead.`, EXIT.usage);
  }
  const rl = createInterface({ input: io.input, output: io.output });
  try {
    const answer = await rl.question(`${question}\nType ${expected} to go ahead, anything else to stop: `);
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}
