#!/usr/bin/env node
// `is-upgrade`: the operators' CLI (the package.json bin). Runs one command and exits with a code scripts can use
// (cli/exit-codes.ts); errors a person can act on are one clear message, stack traces only with --verbose.
import { CommanderError } from 'commander';
import { toCliError } from './cli/errors';
import { EXIT } from './cli/exit-codes';
import { closeContext } from './cli/options';
import { buildProgram } from './cli/program';

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  // Every subcommand reports parse errors through the exception below instead of exiting on its own.
  program.exitOverride();
  for (const c of allCommands(program)) c.exitOverride();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed the message already; help and --version are not errors.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const e = toCliError(err);
    process.stderr.write(`is-upgrade: ${e.message}\n`);
    if (verbose) {
      const cause = e.cause instanceof Error ? e.cause : e;
      process.stderr.write(`${cause.stack ?? String(cause)}\n`);
    } else if (e.exitCode === EXIT.failure) {
      process.stderr.write('(run again with --verbose for details)\n');
    }
    return e.exitCode;
  } finally {
    await closeContext();
  }
}

function allCommands(c: ReturnType<typeof buildProgram>): ReturnType<typeof buildProgram>[] {
  return c.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`is-upgrade: ${String(err)}\n`);
    process.exit(EXIT.failure);
  },
);
