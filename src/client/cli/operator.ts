// Who sends a human message (`by` in the audit log): --by, else IS_OPERATOR, else the OS user name.
import { userInfo } from 'node:os';
import { CliError, EXIT } from './exit-codes';

export function defaultOperator(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.IS_OPERATOR?.trim();
  if (fromEnv) return fromEnv;
  try {
    const name = userInfo().username.trim();
    return name.length > 0 ? name : undefined;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

export function operatorOf(by: string | undefined): string {
  if (by !== undefined && by.trim() === '') {
    throw new CliError('--by must not be empty: who is sending this (e.g. an email address)', EXIT.usage);
  }
  const who = by?.trim() || defaultOperator();
  if (!who) {
    throw new CliError('Who is sending this? Pass --by you@example.com or set IS_OPERATOR.', EXIT.usage);
  }
  return who;
}
