// The operators' messages (docs/product.md, "Messages"): `check` decides — accepted, duplicate, kept for later, or
// refused with a reason — and is also the update validator; `apply` changes the state, only after check passed.
// Both are plain functions of the state and the message: the workflow wires them to signals and updates
// (./invoice-settlement-upgrade.ts); test/upgrade/message-apply.unit.test.ts runs them without a server.
import { describeZodError } from '../../shared/zod-errors';
import { clip } from '../../shared/text';
import {
  FinalSyncQuestion,
  LEGACY_MESSAGES,
  MESSAGES,
  MESSAGE_BOUNDS,
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  MIGRATION_SKIP_RISK,
  REQUIRED_STEP_DATA,
  type ConnectorPath,
  type MessageName,
  type MessageOutcome,
  type ProvisioningIdsReceived,
  type ReuseExistingIds,
  type StepId,
} from '../../shared/upgrade';
import { READINESS_REASON_STORED, STORED_TEXT_MAX, boundStepData } from '../../shared/upgrade-bounds';
import { approverRefusal, type ApproverPolicy } from './approvers';
import { judgeIdsAtStep, judgeReuseExistingIds, markPathTaken, type IdsVerdict } from './connector-path';
import { READINESS_STEP } from '../../shared/readiness';
import type { AcknowledgeReadiness } from '../../shared/upgrade';
import { applyAcknowledgement, judgeAcknowledgement } from './readiness';
import { APPROVAL_GATES, FINAL_SYNC, currentStep, recordAudit, stepOf, type UpgradeState } from './state';

export type Message = { name: MessageName; payload: unknown };

/** What the rules depend on besides the state: decided once at start, or (awaitingApproval) live in this run. */
export type MessageRules = {
  /** STRICT_MESSAGES: bounded messages, and no skip of a step that has not come yet; older upgrades keep the old. */
  strict: boolean;
  /** MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT: a skip of migrate.credit-memos must acknowledge the risk. */
  migrationSkipNeedsAcknowledgement: boolean;
  /** options.connectorPath the upgrade was started with. */
  startedOn: ConnectorPath | undefined;
  /** The approval gate waiting now (not carried: the step sets it again after a continue-as-new). */
  awaitingApproval: StepId | null;
  /** options.approvals of the start input, with who started the upgrade (./approvers.ts); absent: anyone approves. */
  approvals?: ApproverPolicy;
  /** KEPT_MESSAGE_REPLACED: a kept early completion sent again with different data replaces the kept one. */
  replaceKept?: boolean;
};

export type Verdict = { ok: true; outcome: MessageOutcome } | { ok: false; reason: string };
const accept = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'accepted', message } });
const duplicate = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'duplicate', message } });
const later = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'kept-for-later', message } });
const reject = (reason: string): Verdict => ({ ok: false, reason });
const verdictOf = (v: IdsVerdict): Verdict => ({ accept, later, duplicate, reject })[v.verdict](v.message);

const schemasOf = (rules: MessageRules) => (rules.strict ? MESSAGES : LEGACY_MESSAGES);
const where = (state: UpgradeState) => `the upgrade is at step ${currentStep(state)?.id ?? '(finished)'}`;
type Fields = Record<string, unknown> & { by: string };

/** A yes/no answer: JSON true/false, or the text "true"/"false" the CLI's `--data key=value` sends. */
export function yesNo(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** Whether the message is taken, and with what outcome; pure. */
export function check(state: UpgradeState, { name, payload }: Message, rules: MessageRules): Verdict {
  const parsed = schemasOf(rules)[name].safeParse(payload);
  if (!parsed.success) return reject(`Invalid ${name}: ${describeZodError(parsed.error)}`);
  const m = parsed.data as Fields;
  if (typeof m.stepId === 'string' && !state.steps.some((s) => s.id === m.stepId)) {
    return reject(`step ${m.stepId} is not part of this upgrade (it was started before the step existed)`);
  }
  switch (name) {
    case 'invoiceSettlementEnabled':
      return checkEnabledClaim(state);
    case 'provisioningIdsReceived':
      return checkProvisioningIds(state, m as unknown as ProvisioningIdsReceived, rules);
    case 'reuseExistingIds':
      return verdictOf(
        judgeReuseExistingIds(m as unknown as ReuseExistingIds, state.steps, state.inbox, rules.startedOn),
      );
    case 'completeStep':
      return checkCompletion(state, m.stepId as StepId, (m.data ?? {}) as Record<string, unknown>, rules);
    case 'approveStep':
      return rejectIf(approverRefusal(m.by, rules.approvals)) ?? checkApproval(state, m.stepId as StepId, rules);
    case 'skipStep':
      return checkSkip(state, m.stepId as StepId, m.acknowledge, rules);
    case 'retryStep':
      return checkRetry(state, m.stepId as StepId);
    case 'pause':
      return state.paused
        ? duplicate(`already paused by ${state.paused.by}`)
        : accept('paused: no new step starts until resume');
    case 'resume':
      return state.paused ? accept('resumed') : duplicate('not paused');
    case 'acknowledgeReadiness':
      return verdictOf(
        judgeAcknowledgement(
          state.steps.find((s) => s.id === READINESS_STEP),
          m as unknown as AcknowledgeReadiness,
        ),
      );
  }
}

function checkEnabledClaim(state: UpgradeState): Verdict {
  const s = stepOf(state, 'enable-invoice-settlement');
  if (s.state === 'done') return duplicate('Invoice Settlement was already verified as enabled');
  if (s.state === 'skipped') return duplicate('the step was skipped');
  if (state.inbox.enabledClaims.length > 0) return duplicate('a claim is already being verified');
  return s.state === 'waiting' || s.state === 'running'
    ? accept('claim recorded; verifying with the Zuora API')
    : later(`kept: it will be verified when the step comes (${where(state)})`);
}

function checkProvisioningIds(state: UpgradeState, ids: ProvisioningIdsReceived, rules: MessageRules): Verdict {
  const s = stepOf(state, 'connector.provisioning-ids');
  const atStep = judgeIdsAtStep(s, state.inbox.provisioningIds, ids, 'provisioning ids were already received');
  if (atStep) return verdictOf(atStep);
  const kept = state.inbox.provisioningIds;
  if (kept && rules.replaceKept && s.state !== 'waiting') {
    const was = `accountId ${kept.accountId}, environmentId ${kept.environmentId}`;
    return later(`kept: replaces the ids kept from ${kept.by} (${was}) for step connector.provisioning-ids`);
  }
  return s.state === 'waiting'
    ? accept('provisioning ids recorded')
    : later(`kept: they will be used at step connector.provisioning-ids (${where(state)})`);
}

const rejectIf = (reason: string | undefined): Verdict | undefined =>
  reason === undefined ? undefined : reject(reason);

function checkCompletion(state: UpgradeState, id: StepId, data: Record<string, unknown>, rules: MessageRules): Verdict {
  const s = stepOf(state, id);
  // The final sync's questions are answered with completeStep while the (automatic) step waits.
  const question = id === FINAL_SYNC && s.state === 'waiting' ? s.data.question : undefined;
  if (question === FinalSyncQuestion.whichSyncs) {
    if (yesNo(data.standard) === undefined || yesNo(data.negativeBalance) === undefined) {
      return reject(
        `step ${id} needs data.standard and data.negativeBalance (true/false): the credit memo syncs the ` +
          'tenant had enabled (both are off by default)',
      );
    }
  }
  if (question !== undefined) {
    if (state.inbox.completions[id]) return duplicate(`step ${id} completion already recorded`);
    return accept(
      question === FinalSyncQuestion.whichSyncs ? 'final sync runs with the syncs given' : `step ${id} done`,
    );
  }
  if (s.kind !== 'manual') {
    const hint =
      id === 'enable-invoice-settlement'
        ? 'send invoiceSettlementEnabled'
        : id === 'connector.provisioning-ids'
          ? 'send provisioningIdsReceived'
          : id === 'connector.existing-ids'
            ? 'send reuseExistingIds'
            : 'it runs by itself; use retryStep or skipStep';
    return reject(`step ${id} is not a manual step: ${hint}`);
  }
  const need = REQUIRED_STEP_DATA[id];
  if (need) {
    const v = data[need.key];
    if (typeof v !== 'string' || !need.pattern.test(v)) {
      return reject(
        `step ${id} needs data.${need.key}: ${need.hint}${v === undefined ? '' : ` (got ${JSON.stringify(v)})`}`,
      );
    }
  }
  const firstOAuth = stepOf(state, 'connector.oauth-client').data.oauthClientId;
  if (id === 'connector.new-oauth-client' && data.oauthClientId === firstOAuth) {
    return reject(
      `step ${id} needs a NEW OAuth client (seed 001): ${String(firstOAuth)} is step connector.oauth-client's`,
    );
  }
  if (s.state === 'done') {
    return need && s.data[need.key] !== data[need.key]
      ? reject(`step ${id} was already completed by ${s.by} with ${need.key}=${String(s.data[need.key])}`)
      : duplicate(`step ${id} is already done`);
  }
  if (s.state === 'skipped') return reject(`step ${id} was skipped`);
  const kept = state.inbox.completions[id];
  if (kept && rules.replaceKept && s.state !== 'waiting' && keptDataDiffers(kept.data, data, id)) {
    const now = JSON.stringify(boundStepData(data, REQUIRED_STEP_DATA[id]?.key));
    return later(`kept: replaces the completion kept from ${kept.by}: data ${JSON.stringify(kept.data)} → ${now}`);
  }
  if (kept) return duplicate(`step ${id} completion already recorded`);
  return s.state === 'waiting'
    ? accept(`step ${id} done`)
    : later(`kept: step ${id} will be done when it comes (${where(state)})`);
}

/** Whether a completion's data differs from the one kept for its step (compared as it would be stored). */
function keptDataDiffers(kept: Record<string, unknown>, data: Record<string, unknown>, id: StepId): boolean {
  const sorted = (d: Record<string, unknown>) => JSON.stringify(Object.entries(d).sort(([a], [b]) => (a < b ? -1 : 1)));
  return sorted(kept) !== sorted(boundStepData(data, REQUIRED_STEP_DATA[id]?.key));
}

function checkApproval(state: UpgradeState, id: StepId, rules: MessageRules): Verdict {
  if (!APPROVAL_GATES.has(id))
    return reject(`step ${id} has no approval gate (only: ${[...APPROVAL_GATES].join(', ')})`);
  const s = stepOf(state, id);
  // A gate waiting on an approved step is the canary's: its second approval releases the rest (./steps/canary.ts).
  const releasing = rules.awaitingApproval === id && s.data.approvedBy !== undefined;
  if ((s.data.approvedBy !== undefined && !releasing) || state.inbox.approvals[id]) {
    return duplicate(`step ${id} is already approved`);
  }
  if (releasing) return accept(`step ${id}: the canary's result approved, the rest of the migration released`);
  if (rules.awaitingApproval !== id) {
    return reject(
      `step ${id} is not waiting for approval (state ${s.state}${s.state === 'running' ? ', dry run in progress' : ''})`,
    );
  }
  return accept(`step ${id} approved`);
}

function checkSkip(state: UpgradeState, id: StepId, acknowledge: unknown, rules: MessageRules): Verdict {
  const s = stepOf(state, id);
  if (s.state === 'skipped') return duplicate(`step ${id} is already skipped`);
  if (s.state === 'done') return reject(`step ${id} is already done; it cannot be skipped`);
  if (s.state === 'running') return reject(`step ${id} is running; wait until it fails or waits, then skip`);
  // A skip sent ahead of time would be easy to forget and surprising when it takes effect (lead's decision).
  if (rules.strict && s.state === 'pending' && currentStep(state)?.id !== id) {
    return reject(`step ${id} has not come yet; ${where(state)}; skip it when it comes`);
  }
  if (id === 'migrate.credit-memos' && rules.migrationSkipNeedsAcknowledgement && acknowledge === undefined) {
    return reject(`skipping ${id} needs "acknowledge": "${MIGRATION_SKIP_ACKNOWLEDGEMENT}": ${MIGRATION_SKIP_RISK}`);
  }
  return accept(`step ${id} skipped`);
}

function checkRetry(state: UpgradeState, id: StepId): Verdict {
  const s = stepOf(state, id);
  if (state.inbox.retries[id]) return duplicate(`a retry of step ${id} is already requested`);
  if (s.state === 'failed') return accept(`step ${id} will run again`);
  if (id === 'prepare.verify-zuora-synced' && s.state === 'waiting') return accept('checking Zuora again');
  if (id === READINESS_STEP && s.state === 'waiting') return accept('running the readiness checklist again');
  if (id === FINAL_SYNC && s.state === 'waiting' && s.data.question !== undefined) {
    return accept(
      s.data.question === FinalSyncQuestion.whichSyncs ? 'reading the schedule again' : 'running the final sync again',
    );
  }
  return reject(`step ${id} is not failed (state ${s.state}); only a failed step can be retried`);
}

/**
 * Records a message `check` took (with its outcome) in the audit log and, unless it was a duplicate, in the state:
 * kept in the inbox for its step, or acted on at once (skip, pause, resume, the connector path). `at` is now.
 */
export function apply(
  state: UpgradeState,
  { name, payload }: Message,
  outcome: MessageOutcome,
  rules: MessageRules,
  at: string,
): void {
  const m = schemasOf(rules)[name].parse(payload) as Fields;
  // What is stored is bounded even for upgrades that accept unbounded messages (started before the bounds).
  m.by = clip(m.by, MESSAGE_BOUNDS.by);
  const stepId = typeof m.stepId === 'string' ? (m.stepId as StepId) : undefined;
  recordAudit(state, { message: name, by: m.by, stepId, outcome: outcome.outcome, detail: outcome.message }, at);
  if (outcome.outcome === 'duplicate') return;
  switch (name) {
    case 'invoiceSettlementEnabled':
      state.inbox.enabledClaims.push({ by: m.by, at });
      break;
    case 'provisioningIdsReceived':
      state.inbox.provisioningIds = { ...(m as unknown as ProvisioningIdsReceived), at };
      // Zuora answered the ticket: the re-use path's steps are not needed.
      state.connectorPath = 'support-ticket';
      markPathTaken(state.steps, 'support-ticket', undefined, at);
      break;
    case 'reuseExistingIds':
      state.inbox.existingIds = { ...(m as unknown as ReuseExistingIds), at };
      state.connectorPath = 'reuse-existing-ids';
      markPathTaken(state.steps, 'reuse-existing-ids', m.by, at);
      break;
    case 'completeStep':
      state.inbox.completions[stepId!] = {
        by: m.by,
        data: boundStepData((m.data ?? {}) as Record<string, unknown>, REQUIRED_STEP_DATA[stepId!]?.key),
        at,
      };
      break;
    case 'approveStep':
      state.inbox.approvals[stepId!] = { by: m.by, note: clip(m.note as string | undefined, STORED_TEXT_MAX), at };
      break;
    case 'skipStep':
      applySkip(state, stepId!, m, at);
      break;
    case 'retryStep':
      state.inbox.retries[stepId!] = { by: m.by, at };
      break;
    case 'pause':
      state.paused = { by: m.by, reason: clip(String(m.reason), STORED_TEXT_MAX), at };
      break;
    case 'resume':
      state.paused = null;
      break;
    case 'acknowledgeReadiness':
      applyAcknowledgement(
        stepOf(state, READINESS_STEP),
        m as unknown as AcknowledgeReadiness,
        clip(String(m.reason), READINESS_REASON_STORED),
        at,
      );
      break;
  }
}

function applySkip(state: UpgradeState, id: StepId, m: Fields, at: string): void {
  const s = stepOf(state, id);
  s.state = 'skipped';
  s.by = m.by;
  s.note = `skipped: ${clip(String(m.reason), STORED_TEXT_MAX)}`;
  s.finishedAt = at;
  if (s.id === 'migrate.credit-memos') {
    const acknowledged = typeof m.acknowledge === 'string' ? m.acknowledge : null;
    state.migration.skipped = {
      by: m.by,
      reason: clip(String(m.reason), STORED_TEXT_MAX),
      acknowledged,
      risk: MIGRATION_SKIP_RISK,
    };
  }
}
