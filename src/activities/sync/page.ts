// What a chunk gives the processor of each page (src/activities/sync/chunk.ts), and the small helpers pages share.
import { ApplicationFailure } from '@temporalio/common';
import type { connectorFields } from '../../netsuite/fields';
import type { JsonLinesAppender } from '../../reports/report-store';
import { FailureType } from '../../shared/failures';
import type { SyncTally, UndecidedSet } from '../../shared/sync';
import type { NetSuiteWriter } from './netsuite-writes';

export type PageContext = {
  signal: AbortSignal;
  writeNetSuite: NetSuiteWriter;
  failures: JsonLinesAppender;
  reconciliation: JsonLinesAppender | null;
  notFullyApplied: JsonLinesAppender | null;
};

/** Processes one page: counts into `tally`, and pushes the records that stay undecided into `undecided`. */
export type PageProcessor<C> = (page: C[], tally: SyncTally, undecided: UndecidedSet) => Promise<void>;

export type ConnectorFields = ReturnType<typeof connectorFields>;

/** Runs every task; rethrows the first infrastructure error only after all have settled (no stray writes). */
export async function settleAll(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw ApplicationFailure.retryable('sync chunk cancelled', FailureType.Cancelled);
}

export const bump = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1;
};
