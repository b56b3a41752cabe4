// The readiness preflight (docs/zuora.md §10; docs/product.md): the rows of Zuora's "Validate transactions" checklist
// for Invoice Settlement that the upgrade checks before the enablement request, and the acknowledgement an operator
// sends for a row left as it is. Row names are part of the operator contract. Free of I/O: imported by the workflow.
import { z } from 'zod';

/** The upgrade step that runs the checklist (between freezing negative invoices and the enablement request). */
export const READINESS_STEP = 'prepare.readiness-preflight' as const;

/**
 * One row per checklist scenario that a query can answer, in the checklist's order. `inferred` marks rows whose
 * query rests on our reading rather than on a filter Zuora prints (docs/zuora.md §10 says why).
 */
export const READINESS_ROWS = [
  {
    row: 'draft-accounts-with-credit-balance',
    title: 'Draft accounts with a credit balance (Status = Draft and CreditBalance > 0): delete or activate them',
    inferred: false,
  },
  {
    row: 'canceled-accounts-with-credit-balance',
    title: 'Canceled accounts with a credit balance (Status = Canceled and CreditBalance > 0): delete or activate them',
    inferred: false,
  },
  {
    row: 'draft-accounts-with-negative-invoices',
    title:
      'Draft accounts with negative invoices (account Status = Draft, invoice Balance < 0): delete or activate them',
    inferred: false,
  },
  {
    row: 'canceled-accounts-with-negative-invoices',
    title:
      'Canceled accounts with negative invoices (account Status = Canceled, invoice Balance < 0): delete or activate',
    inferred: false,
  },
  {
    row: 'draft-negative-invoices',
    title: 'Draft invoices with a negative balance (or, balance empty, a negative amount): cancel or post them',
    inferred: false,
  },
  { row: 'draft-payments', title: 'Draft payments (Status = Draft): process or cancel them', inferred: true },
  {
    row: 'error-payments',
    title: 'Error payments (Status = Error): Zuora does not migrate them; export them if you need the links',
    inferred: false,
  },
  {
    row: 'payment-runs-applying-credit-balance',
    title: 'Scheduled (Pending) payment runs that apply credit balance before attempting payment: clear the option',
    inferred: true,
  },
  {
    row: 'migration-one-time-charge',
    title:
      'Currencies with negative invoices or credit balances but no "Special one time charge for migration - <currency>"' +
      ' (one-time, Flat Fee Pricing): create it within two days before the migration',
    inferred: true,
  },
  {
    row: 'negative-invoices-never-synced',
    title:
      'Negative invoices never synced to NetSuite whose Transferred To Accounting is not Yes: set it on the invoice',
    inferred: true,
  },
] as const;

export type ReadinessRow = (typeof READINESS_ROWS)[number]['row'];
export const READINESS_ROW_NAMES = READINESS_ROWS.map((r) => r.row) as unknown as readonly [
  ReadinessRow,
  ...ReadinessRow[],
];

/** The row name of an acknowledgement: a wrong one is refused naming every valid row. */
export const readinessRowSchema = z.enum(READINESS_ROW_NAMES, {
  message: `row must be one of: ${READINESS_ROW_NAMES.join(', ')}`,
});

/** One record a row found: its id, its number when it has one, and what makes it an offender. */
export const readinessOffenderSchema = z.object({
  row: readinessRowSchema,
  id: z.string(),
  number: z.string().optional(),
  detail: z.string(),
});
export type ReadinessOffender = z.infer<typeof readinessOffenderSchema>;

/** Offenders named per row in the status (the report lists every one). */
export const READINESS_LISTED = 10;

/** What one run of the checklist found: per row, the count and the first offenders; all of them in `report`. */
export const readinessFindingsSchema = z.object({
  report: z.string(),
  ranAt: z.string(),
  rows: z.array(
    z.object({ row: readinessRowSchema, count: z.number().int().nonnegative(), listed: z.array(z.string()) }),
  ),
});
export type ReadinessFindings = z.infer<typeof readinessFindingsSchema>;

/** Counts and first offenders per row, from every offender found (pure: the activity and the tests use it). */
export function summarizeOffenders(offenders: readonly ReadinessOffender[]): ReadinessFindings['rows'] {
  return READINESS_ROW_NAMES.map((row) => {
    const mine = offenders.filter((o) => o.row === row);
    return { row, count: mine.length, listed: mine.slice(0, READINESS_LISTED).map((o) => o.number ?? o.id) };
  });
}

/**
 * The readiness step's data for the checklists (terminal and Web UI): each open row with its count and first
 * offenders, each acknowledged row with who and why. Offender numbers, who and why are raw: each renderer escapes them.
 */
export function describeReadiness(data: Record<string, unknown>): {
  open: Array<{ row: ReadinessRow; count: number; listed: string }>;
  acknowledged: Array<{ row: ReadinessRow; by: string; reason: string }>;
} {
  const rows = (data.rows ?? {}) as Partial<Record<ReadinessRow, { count: number; listed: string[] }>>;
  const acks = (data.acknowledged ?? {}) as Partial<Record<ReadinessRow, { by: string; reason: string }>>;
  const open = ((data.open ?? []) as ReadinessRow[]).map((row) => {
    const r = rows[row] ?? { count: 0, listed: [] };
    return { row, count: r.count, listed: r.listed.join(', ') + (r.count > r.listed.length ? ', …' : '') };
  });
  const acknowledged = READINESS_ROW_NAMES.filter((row) => acks[row]).map((row) => ({
    row,
    by: acks[row]!.by,
    reason: acks[row]!.reason,
  }));
  return { open, acknowledged };
}
