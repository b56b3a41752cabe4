// The whole audit log in the report store (issue 14 point 4, issue 15 point 5). The status keeps only the newest
// entries (AUDIT_BOUNDS); every entry also gets a number (seq) and waits in `auditLog.unexported` until the
// exportAuditLog activity has written it, keyed by that number so that a retried or repeated export writes nothing
// twice. Exports are batched (each activity costs history events) and happen when the backlog grows, before every
// continue-as-new and at the end; after the one before continue-as-new nothing is unexported, so the carry can drop
// the oldest status entries to stay within CARRY_BYTES — they are all in the report store. Under a flood of signals
// there is no moment with nothing waiting: the waiting entries then go along in the carry instead
// (CONTINUE_AS_NEW_UNDER_FLOOD) and the next run exports them. Pure but for `exportAll`.
import { jsonBytes } from '../../shared/text';
import type { AuditEntry } from '../../shared/upgrade';
import { auditEntryBytes } from '../../shared/upgrade-bounds';
import type { UpgradeState } from './state';

export const AUDIT_EXPORT = {
  /** Export once this many entries wait ... */
  dueEntries: 500,
  /** ... or this many bytes of them. */
  dueBytes: 128 * 1024,
  /** One activity's entries, in JSON bytes: well under Temporal's 2 MB payload limit (inference, see upgrade-bounds.ts). */
  batchBytes: 256 * 1024,
  /** CONTINUE_AS_NEW_UNDER_FLOOD: at most this many bytes of waiting entries go along into continue-as-new (more are
   * exported first), so that the carry stays within CARRY_BYTES without waiting for a moment with no new entry. As
   * much as an export lets wait (dueBytes): then the continue-as-new needs no export first, and takes one workflow
   * task, the one that found the history long — fewer chances for a signal to come in between. */
  carriedBytes: 128 * 1024,
} as const;

/** The most the continue-as-new arguments (input and carried state) may weigh, in JSON bytes (issue 15 point 5). */
export const CARRY_BYTES = 256 * 1024;

export type AuditExport = (entries: AuditEntry[]) => Promise<{ report: string }>;

/** Whether enough entries wait for an export to be worth its history events. */
export function exportDue(state: UpgradeState): boolean {
  const waiting = state.auditLog?.unexported;
  if (!waiting || waiting.length === 0) return false;
  if (waiting.length >= AUDIT_EXPORT.dueEntries) return true;
  return waitingBytes(waiting) >= AUDIT_EXPORT.dueBytes;
}

/** The waiting entries' JSON size as last measured, to add only the entries appended since: it is asked after every
 * signal (a wait's condition), and measuring them all each time cost O(waiting) per signal under a flood. */
const waitingTotals = new WeakMap<AuditEntry[], { first: AuditEntry | undefined; length: number; bytes: number }>();

/** The JSON size of the entries waiting for export. Entries are only appended, and exported from the front. */
export function waitingBytes(waiting: AuditEntry[]): number {
  const t = waitingTotals.get(waiting);
  let bytes: number;
  if (t && t.first === waiting[0] && t.length <= waiting.length) {
    bytes = t.bytes;
    for (let i = t.length; i < waiting.length; i++) bytes += auditEntryBytes(waiting[i]!) + 1;
  } else {
    bytes = waiting.reduce((n, e) => n + auditEntryBytes(e) + 1, 2);
  }
  waitingTotals.set(waiting, { first: waiting[0], length: waiting.length, bytes });
  return bytes;
}

/** The oldest waiting entries that fit one export (at least one). */
export function nextBatch(waiting: AuditEntry[]): AuditEntry[] {
  let bytes = 2;
  let n = 0;
  while (n < waiting.length) {
    bytes += auditEntryBytes(waiting[n]!) + 1;
    if (n > 0 && bytes > AUDIT_EXPORT.batchBytes) break;
    n++;
  }
  return waiting.slice(0, n);
}

/**
 * Exports every waiting entry, batch after batch: entries recorded meanwhile included, or (`waitingNow`,
 * CONTINUE_AS_NEW_UNDER_FLOOD) only those recorded before it started, so that a flood cannot keep it going.
 */
export async function exportAll(state: UpgradeState, write: AuditExport, waitingNow = false): Promise<void> {
  const log = state.auditLog;
  if (!log) return;
  const until = waitingNow ? log.recorded : Infinity;
  while (log.unexported.length > 0 && log.exported < until) {
    const batch = nextBatch(log.unexported);
    const { report } = await write(batch);
    // New entries are only ever appended: the batch is still the front.
    log.unexported.splice(0, batch.length);
    log.report = report;
    log.exported = batch[batch.length - 1]!.seq ?? log.exported;
  }
}

/**
 * Drops the oldest status entries until `args` (the continue-as-new arguments, which hold `state`) weigh at most
 * CARRY_BYTES. Only once everything is exported, or when the waiting entries go along (`waitingCarried`,
 * CONTINUE_AS_NEW_UNDER_FLOOD): every status entry is then in the report store or in the carry's
 * `auditLog.unexported`, nothing is lost. The oldest go first: the exported ones. In place.
 */
export function boundCarry(
  state: UpgradeState,
  args: unknown[],
  waitingCarried = false,
): { bytes: number; dropped: number } {
  let bytes = jsonBytes(args);
  let dropped = 0;
  if (!state.auditLog || (!waitingCarried && state.auditLog.unexported.length > 0)) return { bytes, dropped };
  while (bytes > CARRY_BYTES && state.audit.length > 0) {
    bytes -= auditEntryBytes(state.audit.shift()!) + 1;
    dropped++;
  }
  return { bytes, dropped };
}
