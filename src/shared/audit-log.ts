// The exportAuditLog activity's input (the workflow's audit entries, numbered) and the report file they go to.
// Pure: imported by the workflow, the activity and the CLI.
import { z } from 'zod';

/** The whole audit log of an upgrade, one JSON line per entry in seq order, in its report store folder. */
export const AUDIT_LOG_REPORT = 'audit-log.jsonl';

export const auditEntrySchema = z
  .object({
    seq: z.number().int().positive(),
    at: z.string(),
    message: z.string(),
    by: z.string().optional(),
    stepId: z.string().optional(),
    outcome: z.enum(['accepted', 'rejected', 'duplicate', 'kept-for-later', 'info']),
    detail: z.string(),
  })
  .strict();

export const auditExportInputSchema = z
  .object({
    tenantId: z.string(),
    workflowId: z.string().min(1),
    /** Consecutive entries, oldest first. */
    entries: z
      .array(auditEntrySchema)
      .min(1)
      .refine((es) => es.every((e, i) => i === 0 || e.seq === es[i - 1]!.seq + 1), 'entries must be consecutive'),
  })
  .strict();
export type AuditExportInput = z.input<typeof auditExportInputSchema>;
