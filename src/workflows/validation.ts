// Validating a workflow's start input with zod, with a message a person can act on.
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { FailureType } from '../shared/failures';
import { describeZodError } from '../shared/zod-errors';

/** A bad start input fails the workflow at once and for good, with the reason; it is not retried. */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw ApplicationFailure.nonRetryable(`Invalid ${what}: ${describeZodError(r.error)}`, FailureType.InvalidInput);
  }
  return r.data;
}
