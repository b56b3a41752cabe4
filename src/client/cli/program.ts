// The command tree. Kept apart from cli.ts (which runs it and owns the exit code) so help and parsing can be read
// in one place.
import { Command, Option } from 'commander';
import { registerList } from '../commands/list';
import { registerMessageCommands } from '../commands/messages';
import { registerMigrationControl } from '../commands/migration-control';
import { registerReport } from '../commands/report';
import { registerRevert } from '../commands/revert';
import { registerSchedules } from '../commands/schedules';
import { registerStart } from '../commands/start';
import { registerStatus } from '../commands/status';
import { DEFAULT_ADDRESS } from './context';
import { numberParser } from './options';

export function buildProgram(): Command {
  const program = new Command('is-upgrade')
    .description(
      'Operate the Zuora Invoice Settlement upgrade of NetSuite-connected tenants (Temporal workflow ' +
        'is-upgrade-<tenant>). Human steps are sent as updates: a wrong input is refused at once.',
    )
    .addOption(
      new Option(
        '--address <host:port>',
        `Temporal frontend (default: TEMPORAL_ADDRESS / profile, else ${DEFAULT_ADDRESS})`,
      ),
    )
    .addOption(
      new Option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE / profile, else default)'),
    )
    .option('--connect-timeout <seconds>', 'give up reaching Temporal after this long', numberParser(0.1), 5)
    .option('--verbose', 'print stack traces of unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 not found, 4 Temporal unreachable, ' +
        '5 refused by the workflow, 6 already exists (start).',
    );
  registerStart(program);
  registerStatus(program);
  registerMessageCommands(program);
  registerMigrationControl(program);
  registerList(program);
  registerSchedules(program);
  registerReport(program);
  registerRevert(program);
  return program;
}
