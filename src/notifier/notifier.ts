// Notifications to the operators' channel: a step waiting on a person, a reminder, an escalation, a failure, done,
// and the composed support ticket. Two implementations: a Slack-compatible incoming webhook, and the log.
import { z } from 'zod';
import { escapeSlack } from '../shared/escape';

export const notificationSchema = z.object({
  kind: z.enum(['waiting', 'reminder', 'escalation', 'failure', 'done', 'support-ticket', 'info']),
  tenantId: z.string(),
  workflowId: z.string(),
  stepId: z.string().optional(),
  title: z.string().min(1),
  text: z.string(),
  /** Stable per notification: the webhook receiver (and our retries) can drop duplicates with it. */
  dedupeKey: z.string().min(1),
});
export type Notification = z.infer<typeof notificationSchema>;

export interface Notifier {
  notify(n: Notification): Promise<void>;
}

export class NotifierError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

const ICON: Record<Notification['kind'], string> = {
  waiting: ':hourglass_flowing_sand:',
  reminder: ':alarm_clock:',
  escalation: ':rotating_light:',
  failure: ':x:',
  done: ':white_check_mark:',
  'support-ticket': ':ticket:',
  info: ':information_source:',
};

/**
 * Slack-compatible JSON: `text` for any receiver, `blocks` for Slack. The title and text may carry what operators
 * or outside systems wrote: escaped for mrkdwn, so they cannot mention @channel or form links.
 */
export function toSlackMessage(n: Notification) {
  const title = escapeSlack(n.title);
  const text = escapeSlack(n.text);
  const header = `${ICON[n.kind]} *${title}* — tenant \`${n.tenantId}\`${n.stepId ? `, step \`${n.stepId}\`` : ''}`;
  return {
    text: `${header}\n${text}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: header } },
      { type: 'section', text: { type: 'mrkdwn', text: text || ' ' } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `workflow \`${n.workflowId}\` · ${n.kind} · ${n.dedupeKey}` }],
      },
    ],
    metadata: { event_type: `is_upgrade_${n.kind.replace('-', '_')}`, event_payload: { dedupeKey: n.dedupeKey } },
  };
}

export class WebhookNotifier implements Notifier {
  constructor(
    private readonly url: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async notify(n: Notification): Promise<void> {
    const body = JSON.stringify(toSlackMessage(notificationSchema.parse(n)));
    let res: Response;
    try {
      res = await this.fetchImpl(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': n.dedupeKey },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new NotifierError(`notification webhook unreachable: ${(err as Error).message}`, true);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) {
      // Slack answers 4xx for a malformed message (our bug: do not retry forever) and 429/5xx for load.
      throw new NotifierError(`notification webhook answered ${res.status}`, res.status === 429 || res.status >= 500);
    }
  }
}

export class LogNotifier implements Notifier {
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n')) {}
  async notify(n: Notification): Promise<void> {
    const parsed = notificationSchema.parse(n);
    this.write(JSON.stringify({ time: new Date().toISOString(), level: 'INFO', msg: 'notification', ...parsed }));
  }
}
