// What the credit memo chunk activity (./migration.ts) reads between batches: the migration's control (pause,
// concurrency) from its workflow, and its breaker. The workflow holds the control state; the activity asks for it
// with the `control` query at most once every CONTROL_POLL_MS, in the background, so a batch never waits on it and
// the bulk update costs one small query a second, not one per batch (issue 14 §2: bench:migration stays ≥ 0.9).
// A query needs no history event, so a long chunk adds nothing to history however often it looks.
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { RefusalWindow, breakerTrip, type BreakerOptions } from '../shared/migration-breaker';
import { liveControlQuery, liveControlSchema, type LiveControl } from '../shared/migration-control';

/** How often the chunk asks its workflow: a pause or a new concurrency is seen within this (plus a batch). */
export const CONTROL_POLL_MS = 1_000;

/** Keeps the latest control answer; a failed query keeps the last one (the chunk goes on as it was told). */
export class ControlWatcher {
  private timer: NodeJS.Timeout | undefined;
  private asking = false;
  private failures = 0;

  constructor(
    private readonly ask: () => Promise<unknown>,
    public current: LiveControl,
    private readonly onChange: (now: LiveControl, before: LiveControl) => void,
    private readonly everyMs = CONTROL_POLL_MS,
  ) {}

  /** The query of workflow `workflowId`'s run `runId`, through the worker's Temporal client. */
  static queryOf(client: Client, workflowId: string, runId: string | undefined): () => Promise<unknown> {
    return () => client.workflow.getHandle(workflowId, runId).query(liveControlQuery);
  }

  start(): this {
    this.timer = setInterval(() => void this.poll(), this.everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async poll(): Promise<void> {
    if (this.asking) return; // a slow answer is not stacked up behind
    this.asking = true;
    try {
      const answer = liveControlSchema.parse(await this.ask());
      this.failures = 0;
      const before = this.current;
      this.current = answer;
      if (answer.paused !== before.paused || answer.concurrency !== before.concurrency) this.onChange(answer, before);
    } catch (err) {
      // Logged once in a while, not every second: the chunk keeps its last answer and its own cancellation.
      if (this.failures++ % 30 === 0) log.warn('could not read the migration control', { error: String(err) });
    } finally {
      this.asking = false;
    }
  }
}

/** The breaker of one chunk: fed as batches finish, judged at once. */
export class ChunkBreaker {
  private readonly window: RefusalWindow;
  private codes: string[] = [];
  private seen: { updated: number; failed: number };
  tripped: string | null = null;

  /** `committed`: what earlier attempts of the chunk did (not judged again). */
  constructor(
    private readonly options: BreakerOptions,
    committed: { updated: number; failed: number },
  ) {
    this.window = new RefusalWindow(options.windowMemos);
    this.seen = { ...committed };
  }

  /** A memo refused for good (after its retries), with Zuora's code. */
  refused(code: string): void {
    this.codes.push(code);
  }

  /** After a batch finished: the chunk's running totals, of which the breaker takes what is new. */
  judge(totals: { updated: number; failed: number }): void {
    this.window.add(totals.updated - this.seen.updated, totals.failed - this.seen.failed);
    this.seen = { ...totals };
    this.tripped ??= breakerTrip(this.window, this.codes, this.options);
    this.codes = [];
  }
}
