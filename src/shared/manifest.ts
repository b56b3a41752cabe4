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
 * (write-ahead): a worker killed between the PUT and the outcome still leaves the memo in the manifest. The chunk
 * writes a batch's intent while the batch waits for a request slot; `unsent` says the chunk stopped (pause,
 * breaker) before that batch was sent: the intent was no write.
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
  z.object({ k: z.literal('unsent'), id: z.string().min(1), at: z.string() }),
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
  const fold = new ManifestFold();
  for (const l of lines) fold.add(l);
  const ids = fold.ids();
  const entries = (readCurrent: ReadonlyMap<string, string | null>) => {
    const entries: ManifestEntry[] = [];
    const unresolved: string[] = [];
    for (const id of ids) {
      const e = fold.entryOf(id, readCurrent);
      if (e === 'unresolved') unresolved.push(id);
      else if (e) entries.push(e);
    }
    return { entries, unresolved };
  };
  return { unresolved: ids.filter((id) => fold.lost(id)), entries };
}

type FoldAcc = {
  intent?: Extract<ManifestPartLine, { k: 'intent' }>;
  intents: number;
  outcomes: number;
  updatedAt?: string;
  refused?: Extract<ManifestPartLine, { k: 'refused' }>;
};

/** Part lines folded per memo as they come (in file order: on equal times the later line wins). */
export class ManifestFold {
  private readonly byId = new Map<string, FoldAcc>();

  get size(): number {
    return this.byId.size;
  }

  add(l: ManifestPartLine): void {
    let a = this.byId.get(l.id);
    if (!a) this.byId.set(l.id, (a = { intents: 0, outcomes: 0 }));
    if (l.k === 'intent') {
      a.intents++;
      if (!a.intent || l.at >= a.intent.at) a.intent = l;
    } else if (l.k === 'unsent') {
      // Its intent was no write. It stays the memo's latest intent: its before-value was read as a sent one's is.
      a.intents--;
    } else {
      a.outcomes++;
      if (l.k === 'updated') a.updatedAt = a.updatedAt && a.updatedAt > l.at ? a.updatedAt : l.at;
      else if (!a.refused || l.at >= a.refused.at) a.refused = l;
    }
  }

  private sorted: string[] | null = null;

  /**
   * The memos, sorted by id (UTF-16 code units, as the manifest is). Kept until a memo is added (memos are never
   * removed, so the same count is the same memos): a chunk sorts while its last batches are in flight.
   */
  ids(): string[] {
    if (this.sorted?.length !== this.byId.size) this.sorted = [...this.byId.keys()].sort();
    return this.sorted;
  }

  /** Written, but every outcome was lost (a killed worker): only a read of the memo tells. */
  lost(id: string): boolean {
    const a = this.byId.get(id);
    return a !== undefined && a.intent !== undefined && !a.updatedAt && a.intents > a.outcomes;
  }

  /**
   * The manifest entry of `id`: 'unresolved' when its outcome was lost and `readCurrent` does not say; null when it
   * has no intent (an outcome without intent cannot happen — intent is flushed first — so nothing to set back).
   */
  entryOf(id: string, readCurrent?: ReadonlyMap<string, string | null>): ManifestEntry | 'unresolved' | null {
    const a = this.byId.get(id);
    if (!a?.intent || (a.intents <= 0 && a.outcomes === 0)) return null; // never sent: not in the manifest
    let changed: boolean;
    let outcome: ManifestEntry['outcome'];
    let at: string;
    if (a.updatedAt) {
      [changed, outcome, at] = [true, 'updated', a.updatedAt];
    } else if (a.intents > a.outcomes) {
      if (!readCurrent?.has(id)) return 'unresolved';
      changed = readCurrent.get(id) === 'Yes';
      [outcome, at] = [changed ? 'read-yes' : 'read-not-yes', a.intent.at];
    } else {
      [changed, outcome, at] = [false, 'refused', a.refused!.at];
    }
    // One literal, keys in the manifest's order (no spreads: making 100,000 entries with them took ~0.7 s).
    const { intent } = a;
    const entry: ManifestEntry = {
      id,
      number: intent.number,
      before: intent.before,
      after: 'Yes',
      workflowId: intent.workflowId,
      runId: intent.runId,
      pass: intent.pass,
      writes: a.intents,
      changed,
      outcome,
      at,
    };
    if (outcome === 'refused') entry.code = a.refused!.code;
    return entry;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Folded parts: each chunk attempt folds its own part as it writes it and leaves, once its part is complete, a
// "fold" file beside it — one line per memo, sorted by id: the memo's manifest line as it would be if no other part
// held that memo, or an `unresolved` line. The consolidation then merges the folds (a k-way merge that copies lines)
// and re-folds from the parts only the memos that are in more than one part or unresolved, and the parts that left
// no fold (a killed attempt, or a run from before the folds). The bench's consolidation parsed, validated and
// re-encoded every line of every part: 4.5 s serial at the end of a 200,000-memo migration.

/** The fold of a part file (same name, `fold` for `part`). */
export const foldFileOfPart = (partFile: string) =>
  partFile.replace(/credit-memo-manifest-part-([^/]*)$/, 'credit-memo-manifest-fold-$1');

/**
 * A fold line: the memo's manifest line; `{"id":…,"unresolved":true}` when only a read of the memo, or the lines of
 * other parts, can say (a memo with no intent in its part — which cannot happen — is written so too, to be re-folded).
 */
export function foldLineOf(id: string, entry: ManifestEntry | 'unresolved' | null): string {
  return JSON.stringify(entry === 'unresolved' || entry === null ? { id, unresolved: true } : entry);
}

const UNRESOLVED_TAIL = ',"unresolved":true}';

/**
 * The id of a fold line and whether it is unresolved; null when the line is not one a fold writes (the fold is then
 * not trusted: its part is folded instead). The id is read from the line's start without parsing the rest.
 */
export function parseFoldLine(line: string): { id: string; unresolved: boolean } | null {
  if (!line.startsWith('{"id":"') || !line.endsWith('}')) return null;
  const close = line.indexOf('"', 7);
  if (close <= 7) return null;
  const id = line.slice(7, close);
  // A backslash: an escaped character in the id (never seen in Zuora ids); read the line the exact way.
  if (id.includes('\\')) {
    try {
      const v = JSON.parse(line) as { id?: unknown; unresolved?: unknown };
      return typeof v.id === 'string' && v.id.length > 0 ? { id: v.id, unresolved: v.unresolved === true } : null;
    } catch {
      return null;
    }
  }
  if (line[close + 1] !== ',') return null;
  return { id, unresolved: line.length === close + 1 + UNRESOLVED_TAIL.length && line.endsWith(UNRESOLVED_TAIL) };
}

/**
 * Whether a manifest line (JSON.stringify of an entry) says `changed: true`, without parsing it: a quote inside a
 * string value is always escaped, so `,"changed":true,` only matches the key itself.
 */
export function changedInLine(line: string): boolean {
  return line.includes(',"changed":true,');
}

/** A sorted source of fold lines, ending with foldEndLine (a fold file, or a part folded in memory). */
export type FoldSource = Iterable<string>;

type Head = { id: string; line: string; unresolved: boolean };

/**
 * Merges sorted fold sources by id: per id, the sources holding it (index, line). Throws FoldOrderError when a
 * source is not sorted or has a line a fold does not write (`source` says which).
 */
export function* mergeFolds(
  sources: readonly FoldSource[],
): Generator<{ id: string; at: { source: number; line: string; unresolved: boolean }[] }> {
  const its = sources.map((s) => s[Symbol.iterator]());
  const counts = sources.map(() => 0);
  const heads: (Head | null)[] = its.map((_, i) => next(i, null));
  function next(i: number, previous: string | null): Head | null {
    for (;;) {
      const r = its[i]!.next();
      if (r.done) throw new FoldOrderError(i); // no end line: not a whole fold
      if (r.value.length === 0) continue;
      const p = parseFoldLine(r.value);
      if (p && (previous === null || p.id > previous)) {
        counts[i]!++;
        return { id: p.id, line: r.value, unresolved: p.unresolved };
      }
      if (r.value !== foldEndLine(counts[i]!)) throw new FoldOrderError(i);
      for (let rest = its[i]!.next(); !rest.done; rest = its[i]!.next()) {
        if (rest.value.length > 0) throw new FoldOrderError(i);
      }
      return null;
    }
  }
  for (;;) {
    let min: string | null = null;
    for (const h of heads) if (h && (min === null || h.id < min)) min = h.id;
    if (min === null) return;
    const at: { source: number; line: string; unresolved: boolean }[] = [];
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && h.id === min) {
        at.push({ source: i, line: h.line, unresolved: h.unresolved });
        heads[i] = next(i, h.id);
      }
    }
    yield { id: min, at };
  }
}

/**
 * A fold's last line, with its count: a fold cut short (a host that crashed before the file reached the disk) or
 * with lines missing is then not taken for whole. The fold is not synced — its part is there to fold instead.
 */
export const foldEndLine = (memos: number) => `{"foldEnd":true,"memos":${memos}}`;

/**
 * A fold that is not sorted by id, holds a line no fold writes or does not end as a fold does: its part is folded
 * from its lines instead.
 */
export class FoldOrderError extends Error {
  constructor(readonly source: number) {
    super(`manifest fold ${source} is not a sorted fold`);
  }
}

/** Memos whose manifest line a fold cannot give alone: in more than one source, or unresolved in theirs. */
export function needsRefold(at: readonly { unresolved: boolean }[]): boolean {
  return at.length > 1 || at[0]!.unresolved;
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
