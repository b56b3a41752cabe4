// Where a run's time went: every activity that needed more than one attempt or took long, from the histories
// (scheduled → closed, attempts, the last failure), and every activity timeout. Printed by the chaos run.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

type Row = { workflow: string; activity: string; attempts: number; seconds: number; lastFailure: string };

const EventType = temporal.api.enums.v1.EventType;

function seconds(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return t ? Number(t.seconds ?? 0) + (t.nanos ?? 0) / 1e9 : 0;
}

export async function slowActivities(client: Client, query: string, minSeconds = 5): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const w of client.workflow.list({ query })) {
    const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    const scheduled = new Map<string, { type: string; at: number }>();
    const started = new Map<string, { attempt: number; failure: string }>();
    for (const e of history.events ?? []) {
      const at = seconds(e.eventTime as never);
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.set(String(e.eventId), {
          type: e.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
          at,
        });
      } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        const a = e.activityTaskStartedEventAttributes!;
        started.set(String(a.scheduledEventId), {
          attempt: a.attempt ?? 1,
          failure: a.lastFailure?.message ?? '',
        });
      } else {
        const closed =
          e.activityTaskCompletedEventAttributes ??
          e.activityTaskFailedEventAttributes ??
          e.activityTaskTimedOutEventAttributes ??
          e.activityTaskCanceledEventAttributes;
        if (!closed?.scheduledEventId) continue;
        const s = scheduled.get(String(closed.scheduledEventId));
        const st = started.get(String(closed.scheduledEventId));
        if (!s) continue;
        const row = {
          workflow: w.type,
          activity: s.type,
          attempts: st?.attempt ?? 0,
          seconds: at - s.at,
          lastFailure: (st?.failure ?? '').slice(0, 100),
        };
        if (row.attempts > 1 || row.seconds >= minSeconds) rows.push(row);
      }
    }
  }
  return rows;
}
