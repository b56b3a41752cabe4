// Runbook steps 6–14 (docs/product.md; seeds 000 and 001), the NetSuite connector's re-provisioning: the operator's
// manual steps, the support ticket and Zuora's answer to it (days; with reminders and an escalation), or instead
// the re-use of an existing instance's ids and a new OAuth client. The paths themselves: ../connector-path.ts.
import type { StepStatus } from '../../../shared/upgrade';
import { parseDuration } from '../../durations';
import { markPathTaken, newOAuthClientNote } from '../connector-path';
import type { StepBody, Upgrade } from '../context';
import type { Nudge } from '../runner';
import { stepOf } from '../state';

/** Compose the support ticket (old and new instance ids) for the operator to open, then wait for its id. */
export const supportTicket: StepBody = (up, s) =>
  up.run.manual(s, async () => {
    if (s.data.ticket !== undefined) return; // already composed and sent (e.g. before a continue-as-new)
    const { tenantId, oldConnectorInstanceId } = up.input;
    const newInstanceId = String(stepOf(up.state, 'connector.new-instance').data.newInstanceId ?? '(not recorded)');
    const text = [
      'Please open a ticket with Zuora Global Support (https://support.zuora.com/):',
      `Subject: NetSuite connector re-provisioning after Invoice Settlement — tenant ${tenantId}`,
      `Old connector instance id: ${oldConnectorInstanceId}`,
      `New connector instance id: ${newInstanceId}`,
      'Request: a new account ID and environment ID for the new instance.',
      `Then: completeStep { "stepId": "${s.id}", "by": "…", "data": { "ticketId": "…" } }`,
    ].join('\n');
    s.data.ticket = { oldInstanceId: oldConnectorInstanceId, newInstanceId };
    await up.run.notify('support-ticket', s, 'Support ticket to open', text, `${s.id}:ticket`);
  });

/** Wait for Zuora's new account and environment ids, reminding every reminderInterval and escalating once. */
export const provisioningIds: StepBody = async (up, s) => {
  const { state, now, publish } = up;
  s.startedAt ??= now();
  const arrived = await up.run.awaitMessage(
    s,
    'When Zuora provisioning answers: provisioningIdsReceived { "by", "accountId", "environmentId" }',
    () => state.inbox.provisioningIds !== undefined,
    remindersWhileWaiting(up, s),
  );
  state.openReminders = state.openReminders.filter((r) => r.stepId !== s.id);
  if (!arrived) return;
  const ids = state.inbox.provisioningIds!;
  state.inbox.provisioningIds = undefined;
  s.state = 'done';
  s.by = ids.by;
  s.data = {
    ...s.data,
    accountId: ids.accountId,
    environmentId: ids.environmentId,
    ...(ids.ticketId ? { ticketId: ids.ticketId } : {}),
    receivedAt: ids.at,
  };
  s.finishedAt = now();
  publish();
};

/** A reminder every reminderInterval since the step started, and one escalation after escalationAfter. */
function remindersWhileWaiting(up: Upgrade, s: StepStatus): Nudge {
  const { state, now, input } = up;
  const started = Date.parse(s.startedAt!);
  const every = parseDuration(input.options.reminderInterval);
  const escalateAt = started + parseDuration(input.options.escalationAfter);
  const reminders = () => Number(s.data.remindersSent ?? 0);
  const nextReminder = () => started + (reminders() + 1) * every;
  const ticketId = () => String(stepOf(state, 'connector.support-ticket').data.ticketId ?? '');
  return {
    wakeAt: () => (s.data.escalatedAt !== undefined ? nextReminder() : Math.min(nextReminder(), escalateAt)),
    summary: () =>
      s.data.escalatedAt === undefined && escalateAt <= nextReminder()
        ? `escalation: no provisioning ids from Zuora after ${input.options.escalationAfter}`
        : `reminder ${reminders() + 1}: waiting for provisioning ids from Zuora (every ${input.options.reminderInterval})`,
    wake: async () => {
      const sent = reminders();
      const due = nextReminder();
      const waitedDays = ((Date.now() - started) / 86_400_000).toFixed(1);
      if (s.data.escalatedAt === undefined && Date.now() >= escalateAt) {
        s.data.escalatedAt = now();
        state.openReminders.push({ kind: 'escalation', stepId: s.id, at: now(), count: 1 });
        await up.run.notify(
          'escalation',
          s,
          'Escalation: still no provisioning ids from Zuora',
          `Waiting for ${waitedDays} days. Chase the support ticket ${ticketId()}.`,
          `${s.id}:escalation`,
        );
      }
      if (Date.now() >= due) {
        s.data.remindersSent = sent + 1;
        const open = state.openReminders.find((r) => r.kind === 'reminder' && r.stepId === s.id);
        if (open) {
          open.count = sent + 1;
          open.at = now();
        } else state.openReminders.push({ kind: 'reminder', stepId: s.id, at: now(), count: 1 });
        await up.run.notify(
          'reminder',
          s,
          'Reminder: waiting for provisioning ids from Zuora',
          `Waiting for ${waitedDays} days on ticket ${ticketId()}.`,
          `${s.id}:reminder:${sent + 1}`,
        );
      }
    },
  };
}

/** The re-use path (seed 001): wait for the existing instance's ids; on the ticket path, say that path was taken. */
export const existingIds: StepBody = async (up, s) => {
  const { state, now, publish } = up;
  s.startedAt ??= now();
  if (!state.inbox.existingIds && state.connectorPath !== 'reuse-existing-ids') {
    // The ticket path was taken: Zuora's provisioning ids came (or its steps were skipped by hand).
    state.connectorPath = 'support-ticket';
    markPathTaken(state.steps, 'support-ticket', undefined, now());
    publish();
    return;
  }
  const arrived = await up.run.awaitMessage(
    s,
    "Put the AccountId and EnvironmentId of the existing instance in the new instance's details, then: " +
      'reuseExistingIds { "by", "accountId", "environmentId" }',
    () => state.inbox.existingIds !== undefined,
  );
  if (!arrived) return;
  const ids = state.inbox.existingIds!;
  state.inbox.existingIds = undefined;
  s.state = 'done';
  s.by = ids.by;
  s.data = { accountId: ids.accountId, environmentId: ids.environmentId, receivedAt: ids.at };
  s.finishedAt = now();
  publish();
};

/** After the re-use (seed 001): a new Zuora OAuth client, with the ids the instance now carries. */
export const newOAuthClient: StepBody = (up, s) => {
  s.note ??= newOAuthClientNote(stepOf(up.state, 'connector.existing-ids'));
  return up.run.manual(s);
};
