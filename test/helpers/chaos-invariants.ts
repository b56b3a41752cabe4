// The ledger invariants every chaos run must hold, on the dev server (test/faults/chaos) and on a production
// Temporal (test/cluster): the same questions, asked once.
import type { ChaosFigures } from '../../bench/chaos-run';

/** Every migrated credit memo is Transferred To Accounting = Yes; no adjustment or payment was written twice. */
export function expectLedgerIntact(figures: ChaosFigures, memos: number): void {
  expect(figures.migratedMemos).toBe(memos);
  expect(figures.notYes).toBe(0);
  expect(figures.duplicateAdjustments).toBe(0);
  expect(figures.duplicatePayments).toBe(0);
}

/** The faults changed nothing the operator sees: the fault-free run's final status, nothing left running. */
export function expectSameOutcome(figures: ChaosFigures): void {
  expect(figures.statusDifference).toBeNull();
  expect(figures.workflowsLeftRunning).toBe(0);
  expect(figures.invariantsHeld).toBe(true);
}
