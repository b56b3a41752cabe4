// The migration's manifest (issue 14 point 3): every credit memo the bulk update changed, with its Transferred To
// Accounting before and after, so that `is-upgrade revert-migration` can set back exactly those memos. Pure rules
// and the contract of the revert workflow; imported by activities, workflows and the CLI alike, so free of I/O.
import { z } from 'zod';
import { tenantIdSchema } from './migration';
import { upgradeWorkflowId, type StepStatus, type UpgradeStatus } from './upgrade';

/** Values Zuora's credit memo update takes (docs/zuora.md §3); a memo may also hold none (null). */
export const TRANSFER_VALUES = ['Processing', 'Yes', 'No', 'Error', 'Ignore'] as const;
export type TransferValue = (typeof TRANSFER_VALUES)[number];
/** As read from the Data Query (null: empty). Kept as read, not narrowed: a value Zuora adds later is set back too. */
export const transferValueSchema = z.string().nullable();

export const MANIFEST_FILE = 'credit-memo-manifest.jsonl';
export const REVERT_REPORT_FILE = 'credit-memo-revert.jsonl';
export const REVERT_AUDIT_FILE = 'credit-memo-revert-audit.jsonl';
/** `sha256sum -c` reads this file: "<hex>  <name>". */
export const checksumFileOf = (file: string) => `${file}.sha256`;

/** Where the upgrade's migration (and its canary) keep their manifest: the migration child's report folder. */
export const migrationManifestKey = (tenantId: string) => `${upgradeWorkflowId(tenantId)}-credit-memos`;
export const revertWorkflowId = (tenantId: string) => `${upgradeWorkflowId(tenantId)}-credit-memos-revert`;
export const revertDryRunWorkflowId = (tenantId: string) => `${revertWorkflowId(tenantId)}-dry-run`;

/**
 * A line of a manifest part (one file per chunk attempt). `intent` is written and flushed BEFORE the PUT
 * (write-ahead): a worker killed between the PUT and the outcome still leaves the memo in the manifest.
 */
export const manifestPartLineSchema = z.discriminatedUnion('k', [
  z.object({
    k: z.literal('intent'),
    id: z.string().min(1),
    number: z.string().nullable(),
    before: transferValueSchema,
    after: z.literal('Yes'),
    at: z.string(),
    workflowId: z.string(),
    runId: z.string(),
    pass: z.number().int(),
  }),
  z.object({ k: z.literal('updated'), id: z.string().min(1), at: z.string() }),
  z.object({ k: z.literal('refused'), id: z.string().min(1), at: z.string(), code: z.string(), message: z.string() }),
]);
export type ManifestPartLine = z.infer<typeof manifestPartLineSchema>;

/**
 * One memo of the consolidated manifest. `changed` says whether the migration changed it (only those are set back):
 * `updated` (Zuora said so), `read-yes` (the outcome was lost with a killed worker; a read after the migration found
 * it Yes), `refused` (Zuora refused every write), `read-not-yes` (outcome lost, the read found it unchanged).
 */
export const manifestEntrySchema = z.object({
  id: z.string().min(1),
  number: z.string().nullable(),
  before: transferValueSchema,
  after: z.literal('Yes'),
  changed: z.boolean(),
  outcome: z.enum(['updated', 'read-yes', 'refused', 'read-not-yes']),
  /** Time of the write that changed it (or of the last attempt). */
  at: z.string(),
  workflowId: z.string(),
  runId: z.string(),
  pass: z.number().int(),
  /** Write attempts recorded for this memo (a retried batch or a later pass writes a memo again). */
  writes: z.number().int().positive(),
  code: z.string().optional(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

/** Memos whose outcome was lost (intent without outcome): the consolidation reads their current value. */
export type Unresolved = { id: string };

/**
 * Folds part lines (in any order) into one entry per memo. The before-value is that of the LATEST intent: the value
 * our last write overwrote (a memo refused in one pass and changed by someone before the next has a newer one).
 * `readCurrent` answers for memos whose every write lost its outcome.
 */
export function foldManifest(
  lines: Iterable<ManifestPartLine>,
  readCurrent: ReadonlyMap<string, string | null>,
): { entries: ManifestEntry[]; unresolved: string[] } {
  return foldedManifest(lines).entries(readCurrent);
}

/**
 * foldManifest in two steps: the lines are folded once and `unresolved` says which memos to read; then the entries
 * are made once, with what was read. The consolidation of a 200,000-memo migration folded them and made the entries
 * twice: about 2.5 s of the bench's wall time.
 */
export function foldedManifest(lines: Iterable<ManifestPartLine>): {
  unresolved: string[];
  entries: (readCurrent: ReadonlyMap<string, string | null>) => { entries: ManifestEntry[]; unresolved: string[] };
} {
  type Acc = {
    intent?: Extract<ManifestPartLine, { k: 'intent' }>;
    intents: number;
    outcomes: number;
    updatedAt?: string;
    refused?: Extract<ManifestPartLine, { k: 'refused' }>;
  };
  const byId = new Map<string, Acc>();
  for (const l of lines) {
    const a = byId.get(l.id) ?? { intents: 0, outcomes: 0 };
    byId.set(l.id, a);
    if (l.k === 'intent') {
      a.intents++;
      if (!a.intent || l.at >= a.intent.at) a.intent = l;
    } else {
      a.outcomes++;
      if (l.k === 'updated') a.updatedAt = a.updatedAt && a.updatedAt > l.at ? a.updatedAt : l.at;
      else if (!a.refused || l.at >= a.refused.at) a.refused = l;
    }
  }
  const ids = [...byId.keys()].sort();
  const lost = (a: { intent?: unknown; updatedAt?: string; intents: number; outcomes: number }) =>
    a.intent !== undefined && !a.updatedAt && a.intents > a.outcomes;
  const entries = (readCurrent: ReadonlyMap<string, string | null>) => {
    const entries: ManifestEntry[] = [];
    const unresolved: string[] = [];
    for (const id of ids) {
      const a = byId.get(id)!;
      if (!a.intent) continue; // an outcome without intent cannot happen (intent is flushed first); nothing to set back
      const base = {
        id,
        number: a.intent.number,
        before: a.intent.before,
        after: 'Yes' as const,
        workflowId: a.intent.workflowId,
        runId: a.intent.runId,
        pass: a.intent.pass,
        writes: a.intents,
      };
      if (a.updatedAt) {
        entries.push({ ...base, changed: true, outcome: 'updated', at: a.updatedAt });
      } else if (a.intents > a.outcomes) {
        if (!readCurrent.has(id)) {
          unresolved.push(id);
          continue;
        }
        const yes = readCurrent.get(id) === 'Yes';
        entries.push({ ...base, changed: yes, outcome: yes ? 'read-yes' : 'read-not-yes', at: a.intent.at });
      } else {
        entries.push({ ...base, changed: false, outcome: 'refused', at: a.refused!.at, code: a.refused!.code });
      }
    }
    return { entries, unresolved };
  };
  return { unresolved: ids.filter((id) => lost(byId.get(id)!)), entries };
}

// ---------------------------------------------------------------------------------------------------------------
// Revert

/**
 * What the revert does with one manifest memo, given its value now:
 * - `set-back`: it is Yes (as the migration left it): written back to its before-value;
 * - `already`: it holds its before-value already (e.g. a second revert): not rewritten;
 * - `changed-since`: someone set another value since the migration: reported, NOT overwritten (theirs is newer);
 * - `not-restorable`: its before-value was empty (or one the update does not take). INFERRED: Zuora's update takes only Processing, Yes, No, Error or
 *   Ignore (docs/zuora.md §3; the SDK's TransferredToAccountingStatus), no empty value, and writing No instead would
 *   make the new connector sync a memo it would not have synced (docs/zuora.md §7). So it stays Yes, reported.
 */
export type RevertAction = 'set-back' | 'already' | 'changed-since' | 'not-restorable';
export function revertActionOf(before: string | null, current: string | null): RevertAction {
  if (current === before) return 'already';
  if (current !== 'Yes') return 'changed-since';
  return isTransferValue(before) ? 'set-back' : 'not-restorable';
}

/** A value Zuora's update accepts (null and anything else are not). */
export function isTransferValue(v: string | null): v is TransferValue {
  return (TRANSFER_VALUES as readonly (string | null)[]).includes(v);
}

/** Outcomes in the revert report (per memo). `would-set-back`: a dry run's set-back; `refused`: Zuora refused. */
export const REVERT_OUTCOMES = [
  'set-back',
  'would-set-back',
  'already',
  'changed-since',
  'not-restorable',
  'refused',
] as const;
export type RevertOutcome = (typeof REVERT_OUTCOMES)[number];
export type RevertCounts = Record<RevertOutcome, number>;
export const zeroRevertCounts = (): RevertCounts =>
  Object.fromEntries(REVERT_OUTCOMES.map((o) => [o, 0])) as RevertCounts;

/**
 * Whether the connector steps have started: the new connector would then sync what the revert sets back. A step
 * skipped because the other connector path was taken has not started.
 */
export function connectorStepsStarted(status: Pick<UpgradeStatus, 'steps' | 'phase'>): StepStatus | null {
  const started = status.steps.find((s) => s.id.startsWith('connector.') && !['pending', 'skipped'].includes(s.state));
  if (started) return started;
  if (['payments', 'schedules', 'done'].includes(status.phase)) {
    return status.steps.find((s) => s.id.startsWith('connector.')) ?? null;
  }
  return null;
}

export const revertInputSchema = z
  .object({
    tenantId: tenantIdSchema,
    dryRun: z.boolean().default(false),
    by: z.string().trim().min(1, 'by (who reverts) is required').max(200),
    /** Revert although the connector steps have started; needs a reason, which lands in the audit file. */
    force: z.boolean().default(false),
    reason: z.string().trim().min(1).max(1000).optional(),
    /** The report folder holding the manifest (default: the upgrade's migration, is-upgrade-<tenant>-credit-memos). */
    manifestKey: z.string().min(1).max(200).optional(),
    /** The checksum the operator confirmed (from the dry run): the revert refuses a manifest that differs. */
    expectedSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expectedSha256 must be 64 hex digits')
      .optional(),
    chunkRows: z.number().int().min(50).max(1_000_000).default(10_000),
    concurrencyBudget: z.number().int().min(1).max(40).default(8),
    heartbeatTimeoutSeconds: z.number().int().min(2).max(600).default(30),
  })
  .refine((i) => !i.force || i.reason !== undefined, { message: '--force needs --reason', path: ['reason'] });
export type RevertInput = z.input<typeof revertInputSchema>;

export type RevertResult = {
  tenantId: string;
  dryRun: boolean;
  /** Set when the revert refused to run (connector steps started without force); nothing was read or written. */
  refused: string | null;
  forced: { by: string; reason: string } | null;
  manifest: { location: string; sha256: string; changed: number } | null;
  counts: RevertCounts;
  report: string | null;
  audit: string | null;
};
