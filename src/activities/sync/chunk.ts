// The page pipeline every sync chunk runs. A chunk reads NetSuite candidates page by page (key-based:
// `id > cursor ORDER BY id`); it heartbeats the cursor of the pages it has finished, so a retry after a killed worker
// starts there. Per-record data (ids, amounts, messages) stays here and in the run's report files; history only
// carries counts and the cursor.
import { activityInfo, cancellationSignal, heartbeat, log } from '@temporalio/activity';
import { z } from 'zod';
import { RequestGate } from '../../http/request-gate';
import type { NetSuiteClient } from '../../netsuite/client';
import type { ReportStore } from '../../reports/report-store';
import {
  addTally,
  emptyTally,
  emptyUndecided,
  mergeUndecided,
  undecidedSetSchema,
  type SyncChunkInput,
  type SyncChunkResult,
  type SyncKind,
  type SyncTally,
  type UndecidedSet,
} from '../../shared/sync';
import { withActivityFailures } from '../common';
import { netSuiteWriter } from './netsuite-writes';
import { throwIfAborted, type PageContext, type PageProcessor } from './page';

/** Report of a credit memo sync run: one line per memo skipped as not fully applied (its internal id and number). */
export const NOT_FULLY_APPLIED_REPORT = 'credit-memos-not-fully-applied.jsonl';

/** Pages being processed at once: the next page is read and started while the last one finishes. */
const PAGES_IN_FLIGHT = 2;
const HEARTBEAT_EVERY_MS = 2_000;

const chunkHeartbeatSchema = z.object({
  startAfterId: z.number().int().nonnegative(),
  cursor: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  tally: z.object({
    examined: z.number().int(),
    eligible: z.number().int(),
    created: z.number().int(),
    alreadyInZuora: z.number().int(),
    synced: z.number().int(),
    failed: z.number().int(),
    reconciliationNeeded: z.number().int(),
    skippedByReason: z.record(z.string(), z.number().int()),
  }),
  undecided: undecidedSetSchema,
});
export type ChunkHeartbeat = z.infer<typeof chunkHeartbeatSchema>;

/**
 * Where an attempt starts: an earlier attempt's checkpoint (heartbeat details) when it belongs to this chunk (same
 * startAfterId), else the chunk's beginning.
 */
export function resumePoint(heartbeatDetails: unknown, input: Pick<SyncChunkInput, 'startAfterId'>) {
  const hb = chunkHeartbeatSchema.safeParse(heartbeatDetails);
  const resumed = hb.success && hb.data.startAfterId === input.startAfterId;
  const start: ChunkHeartbeat =
    resumed && hb.success
      ? hb.data
      : {
          startAfterId: input.startAfterId,
          cursor: input.startAfterId,
          pages: 0,
          tally: emptyTally(),
          undecided: emptyUndecided(),
        };
  return { resumed, start };
}

export async function runChunk<C extends { id: string }>(o: {
  input: SyncChunkInput;
  kind: SyncKind;
  reports: ReportStore;
  netsuite: Pick<NetSuiteClient, 'patchRecord'>;
  workflowId: string;
  netsuiteWriteConcurrency: () => Promise<number>;
  pages: (startAfterId: number) => AsyncGenerator<C[], void, undefined>;
  makePageProcessor: (ctx: PageContext) => PageProcessor<C>;
}): Promise<SyncChunkResult> {
  const { input } = o;
  const signal = cancellationSignal();
  const { resumed, start } = resumePoint(activityInfo().heartbeatDetails, input);

  // One report file per run: earlier chunks' lines (ids ≤ cursor) stay; lines of pages this attempt redoes go.
  const keepUpTo = (row: Record<string, unknown>) => Number(row.id) <= start.cursor;
  const failures = await o.reports.openJsonLines(
    o.reports.pathFor(o.workflowId, `${o.kind}-sync-failures.jsonl`),
    keepUpTo,
  );
  const reconciliation =
    o.kind === 'credit-memo'
      ? await o.reports.openJsonLines(o.reports.pathFor(o.workflowId, 'credit-memo-reconciliation.jsonl'), keepUpTo)
      : null;
  const notFullyApplied =
    o.kind === 'credit-memo'
      ? await o.reports.openJsonLines(o.reports.pathFor(o.workflowId, NOT_FULLY_APPLIED_REPORT), keepUpTo)
      : null;

  let committed = { cursor: start.cursor, pages: start.pages, tally: start.tally, undecided: start.undecided };
  const beat = () => heartbeat({ startAfterId: input.startAfterId, ...committed } satisfies ChunkHeartbeat);
  const ticker = setInterval(beat, HEARTBEAT_EVERY_MS);

  const pipeline = async (): Promise<SyncChunkResult> => {
    const gate = new RequestGate({ maxInFlight: await o.netsuiteWriteConcurrency() });
    const processPage = o.makePageProcessor({
      signal,
      writeNetSuite: netSuiteWriter(o.netsuite, gate, signal),
      failures,
      reconciliation,
      notFullyApplied,
    });

    // Pages finish out of order; the cursor only moves over pages finished in order (what a retry may skip).
    const finished = new Map<number, { lastId: number; tally: SyncTally; undecided: UndecidedSet }>();
    const inFlight = new Map<number, Promise<void>>();
    let nextToCommit = 0;
    let dispatched = 0;
    let firstError: unknown;
    let exhausted = true;

    const advance = () => {
      for (let f = finished.get(nextToCommit); f; f = finished.get(nextToCommit)) {
        finished.delete(nextToCommit);
        nextToCommit++;
        committed = {
          cursor: f.lastId,
          pages: committed.pages + 1,
          tally: addTally(committed.tally, f.tally),
          undecided: mergeUndecided(committed.undecided, f.undecided),
        };
      }
      beat();
    };

    for await (const page of o.pages(committed.cursor)) {
      if (page.length === 0) continue;
      const seq = dispatched++;
      const lastId = Number(page[page.length - 1]!.id);
      const tally = emptyTally();
      const undecided = emptyUndecided();
      const p = processPage(page, tally, undecided)
        .then(() => {
          finished.set(seq, { lastId, tally, undecided });
          advance();
        })
        .catch((err: unknown) => {
          firstError ??= err;
        })
        .finally(() => inFlight.delete(seq));
      inFlight.set(seq, p);
      while (inFlight.size >= PAGES_IN_FLIGHT && !firstError) await Promise.race(inFlight.values());
      if (firstError || signal.aborted || dispatched >= input.maxPages) {
        exhausted = false;
        break;
      }
    }
    await Promise.all(inFlight.values());
    if (firstError) throw firstError;
    throwIfAborted(signal);
    beat();
    return {
      // A chunk that stopped at maxPages does not know whether more follow: the next chunk finds out.
      done: exhausted,
      cursor: committed.cursor,
      pages: committed.pages,
      tally: committed.tally,
      failuresReport: failures.path,
      reconciliationReport: reconciliation?.path ?? null,
      notFullyAppliedReport: notFullyApplied?.path ?? null,
      undecided: committed.undecided,
      resumed,
    };
  };

  try {
    return await withActivityFailures(pipeline, (err) =>
      log.warn('sync chunk failed; a retry resumes after the last finished page', {
        kind: o.kind,
        cursor: committed.cursor,
        error: (err as Error).message,
      }),
    );
  } finally {
    clearInterval(ticker);
    await failures.close();
    await reconciliation?.close();
    await notFullyApplied?.close();
  }
}
