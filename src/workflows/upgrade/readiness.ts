// The readiness preflight's rules (docs/product.md; docs/zuora.md §10): what a run of the checklist leaves in the
// step's data, which rows are still open, and how an acknowledgement of a row is judged and recorded. A row is open
// while it has offenders and nobody acknowledged it; an acknowledgement holds for its row across re-runs (the status
// shows the count it was given for). Pure functions of the step's status: the message rules and the unit tests use them.
import { READINESS_ROWS, READINESS_ROW_NAMES, type ReadinessFindings, type ReadinessRow } from '../../shared/readiness';
import type { AcknowledgeReadiness, StepStatus } from '../../shared/upgrade';

export type RowFinding = { count: number; listed: string[] };
export type Acknowledgement = { by: string; reason: string; at: string; count: number | null };

const rowsOf = (s: StepStatus) => (s.data.rows ?? {}) as Partial<Record<ReadinessRow, RowFinding>>;
const acknowledgedOf = (s: StepStatus) => (s.data.acknowledged ?? {}) as Partial<Record<ReadinessRow, Acknowledgement>>;

/** Records a run of the checklist in the step's data (acknowledgements stay). */
export function recordFindings(s: StepStatus, found: ReadinessFindings): void {
  s.data = {
    ...s.data,
    report: found.report,
    ranAt: found.ranAt,
    rows: Object.fromEntries(found.rows.map((r) => [r.row, { count: r.count, listed: r.listed }])),
  };
  s.data.open = openRows(s);
}

/** Rows with offenders that nobody acknowledged, in the checklist's order. */
export function openRows(s: StepStatus): ReadinessRow[] {
  const rows = rowsOf(s);
  const acknowledged = acknowledgedOf(s);
  return READINESS_ROW_NAMES.filter((row) => (rows[row]?.count ?? 0) > 0 && acknowledged[row] === undefined);
}

/** What the waiting step says: each open row with its count and first offenders, and how to go on. */
export function describeOpenRows(s: StepStatus): string {
  const rows = rowsOf(s);
  const lines = openRows(s).map((row) => {
    const r = rows[row]!;
    const title = READINESS_ROWS.find((x) => x.row === row)!.title;
    const more = r.count > r.listed.length ? `, … (${r.count} in all)` : '';
    return `- ${row}: ${r.count} — ${r.listed.join(', ')}${more}. ${title}`;
  });
  return [
    `Zuora's readiness checklist found offenders (full list: ${String(s.data.report)}):`,
    ...lines,
    `Fix them, then retryStep { "stepId": "${s.id}" } to run the checklist again; or acknowledge a row: ` +
      'acknowledgeReadiness { "by", "row", "reason" }.',
  ].join('\n');
}

export type AckVerdict = { verdict: 'accept' | 'later' | 'duplicate' | 'reject'; message: string };

/** Whether an acknowledgement is taken (the step is the upgrade's readiness step, undefined if it has none). */
export function judgeAcknowledgement(s: StepStatus | undefined, ack: AcknowledgeReadiness): AckVerdict {
  if (!s) {
    return {
      verdict: 'reject',
      message: 'this upgrade was started before the readiness preflight existed: it has no readiness rows',
    };
  }
  if (s.state === 'done') return { verdict: 'reject', message: `step ${s.id} is already done` };
  if (s.state === 'skipped') return { verdict: 'reject', message: `step ${s.id} was skipped` };
  const earlier = acknowledgedOf(s)[ack.row];
  if (earlier) {
    return {
      verdict: 'duplicate',
      message: `row ${ack.row} was already acknowledged by ${earlier.by}: ${earlier.reason}`,
    };
  }
  const count = rowsOf(s)[ack.row]?.count;
  if (s.state !== 'waiting') {
    return { verdict: 'later', message: `kept: row ${ack.row} is acknowledged when step ${s.id} runs the checklist` };
  }
  return {
    verdict: 'accept',
    message: count
      ? `row ${ack.row} acknowledged (${count} offender(s) left as they are)`
      : `row ${ack.row} has no offenders now; the acknowledgement holds if a re-run finds some`,
  };
}

/** Records a taken acknowledgement in the step's data. */
export function applyAcknowledgement(s: StepStatus, ack: AcknowledgeReadiness, reason: string, at: string): void {
  const count = rowsOf(s)[ack.row]?.count ?? null;
  s.data.acknowledged = { ...acknowledgedOf(s), [ack.row]: { by: ack.by, reason, at, count } };
  if (s.data.rows !== undefined) s.data.open = openRows(s);
}
