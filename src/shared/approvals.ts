// Who may approve an upgrade's approval gates (issue 14 point 4), chosen per upgrade at start and fixed for its life:
// an allow-list of approvers and the two-person rule. Pure: imported by the workflow (sandboxed) and the CLI.
import { z } from 'zod';
import { hasControlChars } from './text';

/** An operator's name as a message's `by` carries it (MESSAGE_BOUNDS.by characters, one printable line). */
export const OPERATOR_MAX = 200;
export const operatorSchema = (field: string) =>
  z
    .string({ message: `${field} must be who it is (e.g. an email address)` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(OPERATOR_MAX, `${field} must be at most ${OPERATOR_MAX} characters`)
    .refine((v) => !hasControlChars(v), `${field} must not contain control characters`);

export const approvalsSchema = z
  .object({
    /** Only these may approve (compared without regard to case or surrounding spaces). Absent: anyone. */
    approvers: z
      .array(operatorSchema('each approver'))
      .min(1, 'approvers must name at least one person (leave it out to let anyone approve)')
      .max(50, 'approvers must name at most 50 people')
      .optional(),
    /**
     * The two-person rule as this project reads it: whoever approves is not the person who started the upgrade
     * (`by` of the start input, which it then requires). One approval by a second person, not two approvals: the
     * starter has already made the first decision by starting it.
     */
    twoPersonRule: z.boolean().default(false),
  })
  .strict();
export type Approvals = z.output<typeof approvalsSchema>;

/** The same operator? Names are compared trimmed and case-insensitively (emails differ in case only by mistake). */
export const sameOperator = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
