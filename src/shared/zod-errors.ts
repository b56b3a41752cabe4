// zod errors in words a person can act on: used by the workflows (messages, start inputs) and the CLI alike.
import type { z } from 'zod';

/** "field.path: message; other: message" — names what is wrong, never echoes whole payloads. */
export function describeZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}
