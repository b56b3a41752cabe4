// The step runner: how each kind of step runs, waits and ends. Automatic (runs; on failure, waits for retryStep or
// skipStep), manual (waits for completeStep), waiting on a message (from Zuora, through the operator; optionally
// with reminders), and the approval gate and questions inside an automatic step. Every wait also ends when the step
// is skipped, and continues as new when history grows long. What it issues (activities, timers, search attributes,
// continue-as-new) and in which order is in the recorded histories: test/replay checks it.
import { allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import { clip } from '../../shared/text';
import { REQUIRED_STEP_DATA, type StepStatus } from '../../shared/upgrade';
import { STORED_TEXT_MAX } from '../../shared/upgrade-bounds';
import { acts, type NotifyKind, type UpgradeCore } from './context';
import { exportDue } from './audit-export';
import { ZUORA_SUPPORT_WAITS, isSkipped } from './state';

/** Reminders while a wait goes on: when to wake next (epoch ms), and what to do then. */
export type Nudge = {
  wakeAt: () => number;
  wake: () => Promise<void>;
  /** The timer's summary in the Web UI (what happens when it fires). */
  summary?: () => string;
};

/** The reason of a failure: child and activity failures wrap the real one, so the innermost message. */
export function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause && typeof (e.cause as { message?: unknown }).message === 'string') e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/**
 * CONTINUE_AS_NEW_UNDER_FLOOD: continue as new from this many events on, below the server's suggestion (4,096 by
 * default). A continue-as-new that the server refuses because a signal came meanwhile costs a replay of the whole run
 * (the SDK drops the cached run): ~1-2 ms a signal event on 2 loaded cores, so a shorter run is retried sooner.
 */
export const CONTINUE_AS_NEW_EVENTS = 1_000;

export class StepRunner {
  constructor(private readonly up: UpgradeCore) {}

  /** An automatic step: run; on failure, say so and wait for retryStep or skipStep. */
  async automatic(s: StepStatus, body: () => Promise<void>): Promise<void> {
    const { state, now, publish } = this.up;
    for (;;) {
      if (isSkipped(s)) return;
      s.state = 'running';
      s.attempts += 1;
      s.startedAt ??= now();
      s.error = undefined;
      publish();
      try {
        await body();
        if (isSkipped(s)) return;
        s.state = 'done';
        s.finishedAt = now();
        publish();
        return;
      } catch (err) {
        if (isSkipped(s)) return;
        const message = failureMessage(err);
        s.state = 'failed';
        s.error = clip(message, STORED_TEXT_MAX);
        this.up.audit({ message: 'system', stepId: s.id, outcome: 'info', detail: `step failed: ${message}` });
        publish();
        await this.notify(
          'failure',
          s,
          `Step failed: ${s.title}`,
          `${message}\nFix the cause, then retryStep or skipStep (with a reason).`,
          `${s.id}:failed:${s.attempts}`,
        );
        await this.waitFor(s, () => state.inbox.retries[s.id] !== undefined);
        const retry = state.inbox.retries[s.id];
        delete state.inbox.retries[s.id];
        if (retry) s.by = retry.by;
      }
    }
  }

  /** A manual step: wait for completeStep (kept early completions count); `before` runs first (e.g. a ticket). */
  async manual(s: StepStatus, before?: () => Promise<void>): Promise<void> {
    const { state, now, publish } = this.up;
    s.startedAt ??= now();
    if (before) {
      s.state = 'running';
      publish();
      await before();
    }
    const need = REQUIRED_STEP_DATA[s.id];
    const text = `When it is done: completeStep { "stepId": "${s.id}", "by": "…"${need ? `, "data": { "${need.key}": "…" }` : ''} }`;
    if (!(await this.awaitMessage(s, text, () => state.inbox.completions[s.id] !== undefined))) return;
    const c = state.inbox.completions[s.id]!;
    delete state.inbox.completions[s.id];
    s.state = 'done';
    s.by = c.by;
    s.data = { ...s.data, ...c.data };
    s.finishedAt = now();
    publish();
  }

  /**
   * A step that waits on a message (Zuora's answer, relayed by the operator, or the operator's own): unless it came
   * already, says what it waits for and waits, running `nudge` at the times it names. False if the step was skipped.
   */
  async awaitMessage(s: StepStatus, text: string, arrived: () => boolean, nudge?: Nudge): Promise<boolean> {
    if (!arrived()) {
      await this.markWaiting(s, text);
      if (!nudge) await this.waitFor(s, arrived);
      while (nudge && !arrived() && !isSkipped(s)) {
        if (await this.waitFor(s, arrived, Math.max(0, nudge.wakeAt() - Date.now()), nudge.summary?.())) continue;
        await nudge.wake();
        this.up.publish();
      }
    }
    return !isSkipped(s);
  }

  /** The approval gate of an automatic step: waits once for approveStep, then runs on. False if skipped. */
  async approval(s: StepStatus, text: () => string): Promise<boolean> {
    const { state, rules } = this.up;
    if (s.data.approvedBy !== undefined) return true;
    if (!state.inbox.approvals[s.id]) {
      rules.awaitingApproval = s.id;
      await this.markWaiting(s, text());
      await this.waitFor(s, () => state.inbox.approvals[s.id] !== undefined);
      rules.awaitingApproval = null;
      if (isSkipped(s)) return false;
    }
    const a = state.inbox.approvals[s.id]!;
    delete state.inbox.approvals[s.id];
    s.data.approvedBy = a.by;
    s.data.approvedAt = a.at;
    if (a.note) s.note = a.note;
    this.resume(s);
    return true;
  }

  /** A question inside an automatic step: says it, waits for `answered`. False if the step was skipped. */
  async ask(s: StepStatus, text: string, answered: () => boolean): Promise<boolean> {
    await this.markWaiting(s, text);
    await this.waitFor(s, answered);
    return !isSkipped(s);
  }

  /** Back to running after a question or the approval. */
  resume(s: StepStatus): void {
    s.state = 'running';
    this.up.publish();
  }

  /** A notification; a channel that is down must not stop the upgrade (the status and audit log still say it). */
  async notify(kind: NotifyKind, s: StepStatus | null, title: string, text: string, key: string): Promise<void> {
    const { input, workflowId } = this.up;
    try {
      // The activity's summary in the Web UI: which notification this is.
      await acts.notify.executeWithOptions({ summary: clip(`${kind}: ${title}`, 200) }, [
        {
          kind,
          tenantId: input.tenantId,
          workflowId,
          stepId: s?.id,
          title,
          text,
          dedupeKey: `${workflowId}:${key}`,
        },
      ]);
    } catch (err) {
      this.up.audit({
        message: 'system',
        stepId: s?.id,
        outcome: 'info',
        detail: `notification failed: ${(err as Error).message}`,
      });
    }
  }

  /** Continue-as-new at a quiet moment when history grows long; state and kept messages go along. */
  async continueAsNewIfLong(): Promise<void> {
    const info = workflowInfo();
    if (!this.historyIsLong() && info.historyLength < 8_000) return;
    await condition(allHandlersFinished);
    await this.up.continueAsNew();
  }

  /** Whether the run should continue as new: the server suggests it, or (CONTINUE_AS_NEW_UNDER_FLOOD) at its length. */
  historyIsLong(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested ||
      (this.up.continueAsNewUnderFlood === true && info.historyLength >= CONTINUE_AS_NEW_EVENTS)
    );
  }

  /** Wait for `ready` (or a skip of the step), waking up for continue-as-new while the wait is long. */
  private async waitFor(s: StepStatus, ready: () => boolean, timeoutMs?: number, summary?: string): Promise<boolean> {
    // An audit export midway must not stretch the wait: the rest of it, not all of it again.
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    for (let first = true; ; first = false) {
      const wake = () => ready() || isSkipped(s) || this.historyIsLong() || exportDue(this.up.state);
      const left = deadline === undefined ? undefined : first ? timeoutMs! : deadline - Date.now();
      if (!first && left !== undefined && left <= 0) return false;
      const r =
        left === undefined
          ? (await condition(wake), true)
          : await (summary ? condition(wake, left, { summary }) : condition(wake, left));
      if (ready() || isSkipped(s)) return true;
      // Under a flood an export is due again and again: continuing as new first takes the waiting entries along.
      if (this.up.continueAsNewUnderFlood && this.historyIsLong()) {
        await this.continueAsNewIfLong();
        continue;
      }
      if (exportDue(this.up.state)) {
        await this.up.exportAudit();
        continue;
      }
      if (this.historyIsLong()) {
        await this.continueAsNewIfLong();
        continue;
      }
      if (r === false) return false;
    }
  }

  private async markWaiting(s: StepStatus, text: string): Promise<void> {
    s.state = 'waiting';
    this.up.publish();
    const who = ZUORA_SUPPORT_WAITS.has(s.id) ? 'Zuora' : 'an operator';
    await this.notify('waiting', s, `Waiting on ${who}: ${s.title}`, text, `${s.id}:waiting:${s.attempts}`);
  }
}
