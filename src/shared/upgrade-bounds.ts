// How big the upgrade workflow's state can get, whatever operators send (issue 16 point 1): each part has a bound,
// and their sum, WORST_CASE_STATE_BYTES, stays under the SDK's 512 KiB payload warning (TMPRL1103, as the worker logs
// it). Inference, not in the repo's references: the server refuses payloads over 2 MB and gRPC messages over 4 MB
// (Temporal's documented platform limits); the issue saw PAYLOADS_TOO_LARGE once the state passed them. The status
// query's answer, the carry into continue-as-new and the result are this state; the Web UI's markdown details have
// their own bound, MAX_DETAILS_BYTES. Pure: used by the workflow, its renderer and the tests.
import { READINESS_ROW_NAMES } from './readiness';
import { MESSAGE_BOUNDS, STEPS, type AuditEntry } from './upgrade';
import { clip, jsonBytes } from './text';

/** Reasons, notes and step errors are stored clipped to this many characters (the message bound). */
export const STORED_TEXT_MAX = MESSAGE_BOUNDS.text;

/**
 * The audit log keeps its newest entries within a count and a size. 100 KiB (was 128) leaves room under the 512 KiB
 * warning for the readiness preflight's step and its acknowledgements (issue 14 point 1).
 */
export const AUDIT_BOUNDS = { entries: 2_000, bytes: 100 * 1024, detail: 1_000, stepId: 64 } as const;

/** An acknowledged readiness row keeps this much of its reason in the step (the audit log has the message). */
export const READINESS_REASON_STORED = 200;

/** Operator data kept for one step (a completion's `data`), in JSON bytes. */
export const STEP_DATA_BYTES = 8 * 1024;

/** The Web UI's markdown details. */
export const MAX_DETAILS_BYTES = 64 * 1024;

/**
 * A stored string's worst JSON size: every character a control character escaped as `\u001b` (6 bytes: possible in
 * errors and in upgrades started before control characters were refused), plus clip()'s "… (N characters)".
 */
const worstText = (chars: number) => 6 * (chars + 25) + 2;
/** Fixed fields of a step (id, title, kind, state, timestamps, attempts, key names). */
const STEP_FIXED_BYTES = 512;
/** What the activities and child workflows write (dry-run counts, sync summaries, listed record numbers). */
const ACTIVITY_DATA_BYTES = 32 * 1024;
const MANUAL_STEPS = STEPS.filter((s) => s.kind === 'manual').length;
/** A string of a message that refuses control characters: at most 3 JSON bytes a UTF-16 unit (e.g. "€"). */
const worstStrictText = (chars: number) => 3 * (chars + 25) + 2;

export const WORST_CASE_STATE_BYTES =
  AUDIT_BOUNDS.bytes +
  // every step: its who, a note and an error
  STEPS.length * (STEP_FIXED_BYTES + worstText(MESSAGE_BOUNDS.by) + 2 * worstText(STORED_TEXT_MAX)) +
  // operator data: one completion per manual step, kept in the inbox until the step comes, then in the step
  MANUAL_STEPS * STEP_DATA_BYTES +
  // inbox: one approval (note), one provisioning-ids message, a retry per step, one claim
  worstText(STORED_TEXT_MAX) +
  worstText(MESSAGE_BOUNDS.by) +
  1024 +
  STEPS.length * (worstText(MESSAGE_BOUNDS.by) + 128) +
  worstText(MESSAGE_BOUNDS.by) +
  // paused
  worstText(MESSAGE_BOUNDS.by) +
  worstText(STORED_TEXT_MAX) +
  ACTIVITY_DATA_BYTES +
  // readiness preflight: one acknowledgement per row (who, why, when, count; acknowledgeReadiness is always strict)
  READINESS_ROW_NAMES.length * (worstStrictText(MESSAGE_BOUNDS.by) + worstStrictText(READINESS_REASON_STORED) + 128);

/** Each entry's JSON size, measured once: entries are never changed once recorded (a flood of 10,000 messages
 * measured the whole log again for each, seconds of workflow time; issue 15 point 5). */
const entryBytes = new WeakMap<AuditEntry, number>();
export function auditEntryBytes(e: AuditEntry): number {
  let n = entryBytes.get(e);
  if (n === undefined) entryBytes.set(e, (n = jsonBytes(e)));
  return n;
}

/** Drops the oldest entries until the log fits its count and size (in place). */
export function boundAudit(audit: AuditEntry[]): void {
  let bytes = totalBytes(audit);
  if (audit.length > AUDIT_BOUNDS.entries) {
    for (const e of audit.splice(0, audit.length - AUDIT_BOUNDS.entries)) bytes -= auditEntryBytes(e) + 1;
  }
  while (bytes > AUDIT_BOUNDS.bytes && audit.length > 1) bytes -= auditEntryBytes(audit.shift()!) + 1;
  logTotals.set(audit, { first: audit[0], length: audit.length, bytes });
}

/** The log's JSON size as boundAudit last left it, to add just the newest entry to (one entry per message). */
const logTotals = new WeakMap<AuditEntry[], { first: AuditEntry | undefined; length: number; bytes: number }>();
function totalBytes(audit: AuditEntry[]): number {
  const t = logTotals.get(audit);
  if (t && t.first === audit[0] && t.length === audit.length - 1) return t.bytes + auditEntryBytes(audit.at(-1)!) + 1;
  return audit.reduce((n, e) => n + auditEntryBytes(e) + 1, 2);
}

/**
 * A completion's data as stored: the step's required key first, then the others while they fit STEP_DATA_BYTES
 * (keys and strings clipped). Accepted messages always fit (MESSAGE_BOUNDS.dataBytes); this bounds what upgrades
 * started before the message bounds accepted.
 */
export function boundStepData(data: Record<string, unknown>, requiredKey?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(data);
  const ordered =
    requiredKey && keys.includes(requiredKey) ? [requiredKey, ...keys.filter((k) => k !== requiredKey)] : keys;
  let bytes = 2;
  for (const key of ordered) {
    const k = clip(key, MESSAGE_BOUNDS.dataKeyLength);
    const raw = data[key];
    const v = typeof raw === 'string' ? clip(raw, MESSAGE_BOUNDS.dataValueLength) : raw;
    const cost = jsonBytes(k) + jsonBytes(v) + 2;
    if (bytes + cost > STEP_DATA_BYTES) break;
    out[k] = v;
    bytes += cost;
  }
  return out;
}
