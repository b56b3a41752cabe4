// The migration's ETA across all its passes (issue 14 §2), not just the current one: the memos left in this pass,
// the ones a later pass will take (refused ones that may succeed on retry, rows past a Data Query output cap), and
// the "what is left" query each further pass starts with — the last one being the verification. Plain code, unit
// tested in test/migration/eta.unit.test.ts.

export type EtaInput = {
  phase: 'querying' | 'updating' | 'verifying' | 'paused' | 'done' | 'failed';
  /** Memos per second while updating (0: not measured yet). */
  rate: number;
  /** Rows of the current pass, and how many of them are handled (both 0 between passes). */
  passRows: number;
  passRowsDone: number;
  /** Memos not Yes at the latest count (the seed's filter counted), and memos updated since it; null: no count. */
  notYesAtCount: number | null;
  updatedSinceCount: number;
  /** Mean seconds a "what is left" query took so far (0: none timed yet). */
  querySeconds: number;
};

/** Seconds left, or null while there is no rate to go by. A pause does not count: it is the time left once resumed. */
export function migrationEtaSeconds(e: EtaInput): number | null {
  if (e.phase === 'done') return 0;
  if (e.phase === 'failed' || !(e.rate > 0)) return null;
  const leftThisPass = Math.max(0, e.passRows - e.passRowsDone);
  const leftOverall = e.notYesAtCount === null ? leftThisPass : Math.max(0, e.notYesAtCount - e.updatedSinceCount);
  const laterPasses = Math.max(0, leftOverall - leftThisPass);
  // Each later pass holds at most what this one held (the query's output cap); then one query that finds nothing.
  const passesToCome = (laterPasses > 0 ? Math.ceil(laterPasses / Math.max(1, e.passRows)) : 0) + 1;
  return Math.ceil((leftThisPass + laterPasses) / e.rate + passesToCome * e.querySeconds);
}
