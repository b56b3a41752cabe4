// Validating what reaches a workflow (start input, signals, updates) with zod, with messages a person can act on.
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';

/** "field.path: message; other: message" — names what is wrong, never echoes whole payloads. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}

/** A bad start input fails the workflow at once and for good, with the reason; it is not retried. */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw ApplicationFailure.nonRetryable(`Invalid ${what}: ${describeZodError(r.error)}`, 'InvalidInput');
  }
  return r.data;
}
