// Flag parsers: every value is checked where it enters (zod or the contract's own schemas), with a message naming
// the flag. Commander turns an InvalidArgumentError into a usage error (exit 2).
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { z } from 'zod';
import { tenantIdSchema } from '../../shared/migration';
import { STEP_IDS } from '../../shared/upgrade';
import { CliContext, type GlobalOptions } from './context';

export function zodParser<S extends z.ZodType>(schema: S) {
  return (value: string): z.output<S> => {
    const r = schema.safeParse(value);
    if (!r.success) throw new InvalidArgumentError(r.error.issues.map((i) => i.message).join('; '));
    return r.data;
  };
}

export function intParser(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(
        `must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`,
      );
    }
    return n;
  };
}

export function numberParser(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`must be a number ≥ ${min}`);
    return n;
  };
}

export const tenantOption = () =>
  new Option('--tenant <tenantId>', 'the Zuora tenant (workflow id is-upgrade-<tenant>)')
    .argParser(zodParser(tenantIdSchema))
    .makeOptionMandatory();

export const stepOption = (description = 'the step id') =>
  new Option('--step <stepId>', description).choices(STEP_IDS).makeOptionMandatory();

export const jsonOption = () => new Option('--json', 'print JSON (one object) instead of text');

/** The options on the program itself (`is-upgrade --address … status …` or after the command). */
export function globalOptionsOf(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ address?: string; namespace?: string; connectTimeout: number; verbose?: boolean }>();
  return { address: o.address, namespace: o.namespace, connectTimeout: o.connectTimeout, verbose: o.verbose === true };
}

/** One context per run; closed by cli.ts when the command is done. */
let current: CliContext | undefined;
export function contextOf(cmd: Command): CliContext {
  current ??= new CliContext(globalOptionsOf(cmd));
  return current;
}
export async function closeContext(): Promise<void> {
  await current?.close();
}
