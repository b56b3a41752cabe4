// invoiceSettlementUpgrade: Zuora's Invoice Settlement runbook for a NetSuite-connected tenant as one durable
// workflow. Steps run in order (STEPS in shared/upgrade.ts); each is automatic (an activity or child workflow),
// manual (an operator says it is done) or a wait (on Zuora). Every human message is validated, lands in the audit
// log, and is idempotent: a duplicate changes nothing, an early one is kept for its step.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  ParentClosePolicy,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { UpgradeActivities } from '../activities/upgrade';
import { describeTransferCounts, type MigrateCreditMemosResult } from '../shared/migration';
import { IS_TENANT_ID, IS_UPGRADE_PHASE, IS_WAITING_ON } from '../shared/search-attributes';
import type { SyncResult } from '../shared/sync';
import {
  LEGACY_MESSAGES,
  FinalSyncQuestion,
  MESSAGES,
  MESSAGE_BOUNDS,
  MESSAGE_DEFINITIONS,
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  MIGRATION_SKIP_RISK,
  REQUIRED_STEP_DATA,
  phaseOf,
  statusQuery,
  upgradeInputSchema,
  type AuditEntry,
  type ConnectorPath,
  type MessageName,
  type MessageOutcome,
  type ProvisioningIdsReceived,
  type Reminder,
  type ReuseExistingIds,
  type StepId,
  type StepStatus,
  type UpgradeInput,
  type UpgradeStatus,
  type WaitingOn,
} from '../shared/upgrade';
import {
  CONNECTOR_PATHS_PATCH,
  connectorPathOf,
  initialSteps,
  judgeReuseExistingIds,
  markPathTaken,
  newOAuthClientNote,
} from './connector-path';
import { migrateCreditMemos } from './migrate-credit-memos';
import { syncNetSuiteCreditMemos } from './sync-netsuite-credit-memos';
import { syncNetSuitePayments } from './sync-netsuite-payments';
import { parseDuration } from './durations';
import { describeZodError, parseWorkflowInput } from './validation';
import { clip } from '../shared/text';
import { AUDIT_BOUNDS, STORED_TEXT_MAX, boundAudit, boundStepData } from '../shared/upgrade-bounds';
import { renderChecklist } from './upgrade-render';

const acts = proxyActivities<UpgradeActivities>({
  // Short calls (a Zuora check, a notification, schedule changes). They heartbeat every 5 s while they run, so a
  // dead worker's call is retried after 30 s; the 5 minutes leave room for the clients to wait out a 429 (≤ 60 s).
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

/** Waits for a running scheduled sync to finish: heartbeats while it waits. */
const drain = proxyActivities<UpgradeActivities>({
  startToCloseTimeout: '4h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

/** patched() ids: each names a change to the step sequence that running upgrades must not see mid-flight. */
const PAUSE_SCHEDULE_BEFORE_FINAL_SYNC = 'pause-credit-memo-schedule-before-final-sync';
/** Messages are bounded, refuse control characters and secret-shaped data, and a step that has not come yet cannot
 * be skipped (issue 16). Decided once at start: update validators cannot call patched(). */
const STRICT_MESSAGES = 'strict-messages-and-no-skip-of-future-step';
/**
 * The final credit memo sync asks the operator instead of passing silently: which syncs the tenant had enabled when
 * its schedule is missing or unreadable, and what to do about memos not fully applied (they can never sync after
 * Invoice Settlement). Upgrades started before this change ran with both syncs off and only counted those memos.
 */
const FINAL_SYNC_ASKS_OPERATOR = 'final-credit-memo-sync-asks-operator';
const FINAL_SYNC: StepId = 'prepare.final-credit-memo-sync';
/** Memos listed by number in the status while the final sync waits (the full list is in the sync's report). */
const NOT_FULLY_APPLIED_LISTED = 50;
/** A skip of migrate.credit-memos must acknowledge MIGRATION_SKIP_RISK (older runs accepted any skip). */
const MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT = 'migration-skip-needs-acknowledgement';

/** Steps that need an explicit approval before they write (the irreversible bulk update). */
const APPROVAL_GATES: ReadonlySet<StepId> = new Set(['migrate.credit-memos']);
/** Steps whose wait is on Zuora support rather than on the operator. */
const ZUORA_SUPPORT_WAITS: ReadonlySet<StepId> = new Set(['enable-invoice-settlement', 'connector.provisioning-ids']);

type Claim = { by: string; at: string };
type State = {
  steps: StepStatus[];
  audit: AuditEntry[];
  paused: UpgradeStatus['paused'];
  /** Messages kept for a step that has not come yet, or waiting to be acted on. */
  inbox: {
    enabledClaims: Claim[];
    provisioningIds?: ProvisioningIdsReceived & { at: string };
    existingIds?: ReuseExistingIds & { at: string };
    completions: Partial<Record<StepId, { by: string; data: Record<string, unknown>; at: string }>>;
    approvals: Partial<Record<StepId, { by: string; note?: string; at: string }>>;
    retries: Partial<Record<StepId, { by: string; at: string }>>;
  };
  migration: UpgradeStatus['migration'];
  syncs: UpgradeStatus['syncs'];
  openReminders: Reminder[];
  startedAt: string;
  finishedAt: string | null;
  /** The connector path once chosen (absent in upgrades started before CONNECTOR_PATHS_PATCH). */
  connectorPath?: ConnectorPath;
};

export type UpgradeCarry = { state: State };

export async function invoiceSettlementUpgrade(rawInput: UpgradeInput, carry?: UpgradeCarry): Promise<UpgradeStatus> {
  const input = parseWorkflowInput(upgradeInputSchema, rawInput, 'invoiceSettlementUpgrade input');
  const { tenantId, options } = input;
  const workflowId = workflowInfo().workflowId;
  // Decided once, before any handler runs: the update validators cannot call patched() themselves.
  const migrationSkipNeedsAcknowledgement = patched(MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT);
  const now = () => new Date(Date.now()).toISOString();
  // Upgrades started before keep the message rules they started with, so that their histories replay the same.
  const strictMessages = patched(STRICT_MESSAGES);
  const schemas = strictMessages ? MESSAGES : LEGACY_MESSAGES;

  const state: State = carry?.state ?? {
    // The step list is fixed at start and carried: upgrades started before the connector paths keep their 14.
    steps: initialSteps(patched(CONNECTOR_PATHS_PATCH), options.connectorPath, now()),
    audit: [],
    paused: null,
    inbox: { enabledClaims: [], completions: {}, approvals: {}, retries: {} },
    migration: {},
    syncs: {},
    openReminders: [],
    startedAt: now(),
    finishedAt: null,
    connectorPath: options.connectorPath,
  };
  const step = (id: StepId) => state.steps.find((s) => s.id === id)!;
  const current = (): StepStatus | undefined => state.steps.find((s) => s.state !== 'done' && s.state !== 'skipped');
  let awaitingApproval: StepId | null = null;

  const audit = (e: Omit<AuditEntry, 'at'>) => {
    // A rejected message's sender and reason echo what was sent: clipped, so that a flood of huge messages cannot
    // grow the status past what a query can answer (gRPC's 4 MB; found by test/fuzz/messages.test.ts).
    state.audit.push({
      at: now(),
      ...e,
      by: clip(e.by, MESSAGE_BOUNDS.by),
      stepId: clip(e.stepId, AUDIT_BOUNDS.stepId),
      detail: clip(e.detail, AUDIT_BOUNDS.detail),
    });
    // The audit log lives in history too: the newest entries are kept within a count and a size (shared/upgrade-bounds.ts).
    boundAudit(state.audit);
  };

  const waitingOn = (): WaitingOn => {
    const c = current();
    if (!c || state.paused) return state.paused ? 'operator' : 'nothing';
    if (c.state === 'waiting' || c.state === 'failed')
      return ZUORA_SUPPORT_WAITS.has(c.id) ? 'zuora-support' : 'operator';
    return 'nothing';
  };

  const status = (): UpgradeStatus => ({
    tenantId,
    workflowId,
    phase: phaseOf(current()?.id ?? null),
    currentStep: current()?.id ?? null,
    waitingOn: waitingOn(),
    paused: state.paused,
    dryRun: options.dryRun,
    connectorPath: connectorPathOf(state.steps, state.connectorPath),
    steps: state.steps.map((s) => ({ ...s, data: { ...s.data } })),
    migration: state.migration,
    syncs: state.syncs,
    openReminders: [...state.openReminders],
    audit: [...state.audit],
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
  });

  let lastSearchAttributes = '';
  const publish = () => {
    const s = status();
    setCurrentDetails(renderChecklist(s));
    const key = `${s.phase}|${s.waitingOn}`;
    if (key !== lastSearchAttributes) {
      lastSearchAttributes = key;
      upsertSearchAttributes([
        { key: IS_TENANT_ID, value: tenantId },
        { key: IS_UPGRADE_PHASE, value: s.phase },
        { key: IS_WAITING_ON, value: s.waitingOn },
      ]);
    }
  };

  // -------------------------------------------------------------------------------------------------------------
  // Messages: `check` decides (pure, also the update validator); `apply` changes state (only after check passed).
  type Verdict = { ok: true; outcome: MessageOutcome } | { ok: false; reason: string };
  const accept = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'accepted', message } });
  const duplicate = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'duplicate', message } });
  const later = (message: string): Verdict => ({ ok: true, outcome: { outcome: 'kept-for-later', message } });
  const reject = (reason: string): Verdict => ({ ok: false, reason });
  const where = () => `the upgrade is at step ${current()?.id ?? '(finished)'}`;

  const check = (name: MessageName, payload: unknown): Verdict => {
    const parsed = schemas[name].safeParse(payload);
    if (!parsed.success) return reject(`Invalid ${name}: ${describeZodError(parsed.error)}`);
    const m = parsed.data as Record<string, unknown> & { by: string };
    if (typeof m.stepId === 'string' && !state.steps.some((s) => s.id === m.stepId)) {
      return reject(`step ${m.stepId} is not part of this upgrade (it was started before the step existed)`);
    }
    switch (name) {
      case 'invoiceSettlementEnabled': {
        const s = step('enable-invoice-settlement');
        if (s.state === 'done') return duplicate('Invoice Settlement was already verified as enabled');
        if (s.state === 'skipped') return duplicate('the step was skipped');
        if (state.inbox.enabledClaims.length > 0) return duplicate('a claim is already being verified');
        return s.state === 'waiting' || s.state === 'running'
          ? accept('claim recorded; verifying with the Zuora API')
          : later(`kept: it will be verified when the step comes (${where()})`);
      }
      case 'provisioningIdsReceived': {
        const ids = m as unknown as ProvisioningIdsReceived;
        const s = step('connector.provisioning-ids');
        const known = s.state === 'done' ? s.data : state.inbox.provisioningIds;
        if (known && known.accountId === ids.accountId && known.environmentId === ids.environmentId) {
          return duplicate('these provisioning ids were already received');
        }
        if (s.state === 'done') {
          return reject(
            `provisioning ids were already received (accountId ${String(s.data.accountId)}, environmentId ` +
              `${String(s.data.environmentId)}, from ${s.by}); they cannot be changed`,
          );
        }
        if (s.state === 'skipped') {
          return reject(`step connector.provisioning-ids was skipped${s.note ? ` (${s.note})` : ''}`);
        }
        return s.state === 'waiting'
          ? accept('provisioning ids recorded')
          : later(`kept: they will be used at step connector.provisioning-ids (${where()})`);
      }
      case 'reuseExistingIds': {
        const ids = m as unknown as ReuseExistingIds;
        const v = judgeReuseExistingIds(ids, state.steps, state.inbox, options.connectorPath);
        return { accept, later, duplicate, reject }[v.verdict](v.message);
      }
      case 'completeStep': {
        const id = m.stepId as StepId;
        const s = step(id);
        const question = id === FINAL_SYNC && s.state === 'waiting' ? s.data.question : undefined;
        if (question === FinalSyncQuestion.whichSyncs) {
          const d = (m.data ?? {}) as Record<string, unknown>;
          if (yesNo(d.standard) === undefined || yesNo(d.negativeBalance) === undefined) {
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
        const data = (m.data ?? {}) as Record<string, unknown>;
        const need = REQUIRED_STEP_DATA[id];
        if (need) {
          const v = data[need.key];
          if (typeof v !== 'string' || !need.pattern.test(v)) {
            return reject(
              `step ${id} needs data.${need.key}: ${need.hint}${v === undefined ? '' : ` (got ${JSON.stringify(v)})`}`,
            );
          }
        }
        const firstOAuth = step('connector.oauth-client').data.oauthClientId;
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
        if (state.inbox.completions[id]) return duplicate(`step ${id} completion already recorded`);
        return s.state === 'waiting'
          ? accept(`step ${id} done`)
          : later(`kept: step ${id} will be done when it comes (${where()})`);
      }
      case 'approveStep': {
        const id = m.stepId as StepId;
        if (!APPROVAL_GATES.has(id))
          return reject(`step ${id} has no approval gate (only: ${[...APPROVAL_GATES].join(', ')})`);
        const s = step(id);
        if (s.data.approvedBy !== undefined || state.inbox.approvals[id])
          return duplicate(`step ${id} is already approved`);
        if (awaitingApproval !== id) {
          return reject(
            `step ${id} is not waiting for approval (state ${s.state}${s.state === 'running' ? ', dry run in progress' : ''})`,
          );
        }
        return accept(`step ${id} approved`);
      }
      case 'skipStep': {
        const id = m.stepId as StepId;
        const s = step(id);
        if (s.state === 'skipped') return duplicate(`step ${id} is already skipped`);
        if (s.state === 'done') return reject(`step ${id} is already done; it cannot be skipped`);
        if (s.state === 'running') return reject(`step ${id} is running; wait until it fails or waits, then skip`);
        // A skip sent ahead of time would be easy to forget and surprising when it takes effect (lead's decision).
        if (strictMessages && s.state === 'pending' && current()?.id !== id) {
          return reject(`step ${id} has not come yet; ${where()}; skip it when it comes`);
        }
        if (id === 'migrate.credit-memos' && migrationSkipNeedsAcknowledgement && m.acknowledge === undefined) {
          return reject(
            `skipping ${id} needs "acknowledge": "${MIGRATION_SKIP_ACKNOWLEDGEMENT}": ${MIGRATION_SKIP_RISK}`,
          );
        }
        return accept(`step ${id} skipped`);
      }
      case 'retryStep': {
        const id = m.stepId as StepId;
        const s = step(id);
        if (state.inbox.retries[id]) return duplicate(`a retry of step ${id} is already requested`);
        if (s.state === 'failed') return accept(`step ${id} will run again`);
        if (id === 'prepare.verify-zuora-synced' && s.state === 'waiting') return accept('checking Zuora again');
        if (id === FINAL_SYNC && s.state === 'waiting' && s.data.question !== undefined) {
          return accept(
            s.data.question === FinalSyncQuestion.whichSyncs
              ? 'reading the schedule again'
              : 'running the final sync again',
          );
        }
        return reject(`step ${id} is not failed (state ${s.state}); only a failed step can be retried`);
      }
      case 'pause':
        return state.paused
          ? duplicate(`already paused by ${state.paused.by}`)
          : accept('paused: no new step starts until resume');
      case 'resume':
        return state.paused ? accept('resumed') : duplicate('not paused');
    }
  };

  const apply = (name: MessageName, payload: unknown, outcome: MessageOutcome) => {
    const m = schemas[name].parse(payload) as Record<string, unknown> & { by: string };
    // What is stored is bounded even for upgrades that accept unbounded messages (started before the bounds).
    m.by = clip(m.by, MESSAGE_BOUNDS.by);
    const at = now();
    const stepId = typeof m.stepId === 'string' ? (m.stepId as StepId) : undefined;
    audit({ message: name, by: m.by, stepId, outcome: outcome.outcome, detail: outcome.message });
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
      case 'skipStep': {
        const s = step(stepId!);
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
        break;
      }
      case 'retryStep':
        state.inbox.retries[stepId!] = { by: m.by, at };
        break;
      case 'pause':
        state.paused = { by: m.by, reason: clip(String(m.reason), STORED_TEXT_MAX), at };
        break;
      case 'resume':
        state.paused = null;
        break;
    }
    publish();
  };

  const register = <A>(
    name: MessageName,
    signal: SignalDefinition<[A]>,
    update: UpdateDefinition<MessageOutcome, [A]>,
  ) => {
    setHandler(signal as unknown as SignalDefinition<[unknown]>, (payload: unknown) => {
      const v = check(name, payload);
      if (!v.ok) {
        const by = (payload as { by?: unknown } | null)?.by;
        audit({ message: name, by: typeof by === 'string' ? by : undefined, outcome: 'rejected', detail: v.reason });
        // Clipped like the audit entry: a flood of huge bad signals must not flood the logs either.
        log.warn('signal rejected', { signal: name, reason: clip(v.reason, 1_000) });
        publish();
        return;
      }
      apply(name, payload, v.outcome);
    });
    setHandler(
      update as unknown as UpdateDefinition<MessageOutcome, [unknown]>,
      (payload: unknown) => {
        const v = check(name, payload);
        if (!v.ok) throw ApplicationFailure.nonRetryable(v.reason, 'InvalidMessage');
        apply(name, payload, v.outcome);
        return v.outcome;
      },
      {
        // Synchronous, so a refused update never reaches history; the caller gets the reason.
        validator: (payload: unknown) => {
          const v = check(name, payload);
          if (!v.ok) throw new Error(v.reason);
        },
      },
    );
  };
  for (const name of Object.keys(MESSAGE_DEFINITIONS) as MessageName[]) {
    const { signal, update } = MESSAGE_DEFINITIONS[name];
    register(name, signal as SignalDefinition<[unknown]>, update as UpdateDefinition<MessageOutcome, [unknown]>);
  }
  setHandler(statusQuery, status);

  // -------------------------------------------------------------------------------------------------------------
  // Step machinery
  const notify = async (
    kind: Parameters<UpgradeActivities['notify']>[0]['kind'],
    s: StepStatus | null,
    title: string,
    text: string,
    key: string,
  ) => {
    try {
      await acts.notify({ kind, tenantId, workflowId, stepId: s?.id, title, text, dedupeKey: `${workflowId}:${key}` });
    } catch (err) {
      // A notification channel that is down must not stop the upgrade; the status and audit log still say it.
      audit({
        message: 'system',
        stepId: s?.id,
        outcome: 'info',
        detail: `notification failed: ${(err as Error).message}`,
      });
    }
  };

  const skipped = (s: StepStatus) => s.state === 'skipped';

  /** Continue-as-new at a quiet moment when history grows long; state and kept messages go along. */
  const maybeContinueAsNew = async () => {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < 8_000) return;
    await condition(allHandlersFinished);
    await continueAsNew<typeof invoiceSettlementUpgrade>(rawInput, { state });
  };

  /** Wait for `ready` (or a skip of the step), waking up for continue-as-new while the wait is long. */
  const waitFor = async (s: StepStatus, ready: () => boolean, timeoutMs?: number): Promise<boolean> => {
    for (;;) {
      const wake = () => ready() || skipped(s) || workflowInfo().continueAsNewSuggested;
      const r = timeoutMs === undefined ? (await condition(wake), true) : await condition(wake, timeoutMs);
      if (ready() || skipped(s)) return true;
      if (workflowInfo().continueAsNewSuggested) {
        await maybeContinueAsNew();
        continue;
      }
      if (r === false) return false;
    }
  };

  const markWaiting = async (s: StepStatus, text: string) => {
    s.state = 'waiting';
    publish();
    const who = ZUORA_SUPPORT_WAITS.has(s.id) ? 'Zuora' : 'an operator';
    await notify('waiting', s, `Waiting on ${who}: ${s.title}`, text, `${s.id}:waiting:${s.attempts}`);
  };

  /** An automatic step: run; on failure, say so and wait for retryStep or skipStep. */
  const runAuto = async (s: StepStatus, body: () => Promise<void>) => {
    for (;;) {
      if (skipped(s)) return;
      s.state = 'running';
      s.attempts += 1;
      s.startedAt ??= now();
      s.error = undefined;
      publish();
      try {
        await body();
        if (skipped(s)) return;
        s.state = 'done';
        s.finishedAt = now();
        publish();
        return;
      } catch (err) {
        if (skipped(s)) return;
        const message = failureMessage(err);
        s.state = 'failed';
        s.error = clip(message, STORED_TEXT_MAX);
        audit({ message: 'system', stepId: s.id, outcome: 'info', detail: `step failed: ${message}` });
        publish();
        await notify(
          'failure',
          s,
          `Step failed: ${s.title}`,
          `${message}\nFix the cause, then retryStep or skipStep (with a reason).`,
          `${s.id}:failed:${s.attempts}`,
        );
        await waitFor(s, () => state.inbox.retries[s.id] !== undefined);
        const retry = state.inbox.retries[s.id];
        delete state.inbox.retries[s.id];
        if (retry) s.by = retry.by;
      }
    }
  };

  /** A manual step: wait for completeStep (kept early completions count). */
  const runManual = async (s: StepStatus, before?: () => Promise<void>) => {
    s.startedAt ??= now();
    if (before) {
      s.state = 'running';
      publish();
      await before();
    }
    if (!state.inbox.completions[s.id]) {
      await markWaiting(
        s,
        `When it is done: completeStep { "stepId": "${s.id}", "by": "…"${REQUIRED_STEP_DATA[s.id] ? `, "data": { "${REQUIRED_STEP_DATA[s.id]!.key}": "…" }` : ''} }`,
      );
      await waitFor(s, () => state.inbox.completions[s.id] !== undefined);
    }
    if (skipped(s)) return;
    const c = state.inbox.completions[s.id]!;
    delete state.inbox.completions[s.id];
    s.state = 'done';
    s.by = c.by;
    s.data = { ...s.data, ...c.data };
    s.finishedAt = now();
    publish();
  };

  // -------------------------------------------------------------------------------------------------------------
  // The steps
  const stepBodies: Record<StepId, (s: StepStatus) => Promise<void>> = {
    'prepare.final-credit-memo-sync': (s) =>
      runAuto(s, async () => {
        let plan = await acts.readCreditMemoSyncSchedule({ tenantId });
        const asks = patched(FINAL_SYNC_ASKS_OPERATOR);
        /** Waits for completeStep or retryStep on this step; returns which came (or null when skipped). */
        const ask = async (question: string, text: string) => {
          s.data = { ...s.data, question };
          await markWaiting(s, text);
          await waitFor(
            s,
            () => state.inbox.completions[s.id] !== undefined || state.inbox.retries[s.id] !== undefined,
          );
          const completion = state.inbox.completions[s.id];
          const retry = state.inbox.retries[s.id];
          delete state.inbox.completions[s.id];
          delete state.inbox.retries[s.id];
          delete s.data.question;
          if (skipped(s)) return null;
          s.state = 'running';
          publish();
          return completion ? { completion } : retry ? { retry } : null;
        };
        // No schedule, or an input we cannot read: both syncs off would pass as a no-op. Ask which syncs the tenant
        // had enabled (seed 002: both are disabled by default) — completeStep with data, or retryStep to read again.
        let syncs: { standard?: boolean; negativeBalance?: boolean } = {};
        while (asks && (!plan.scheduleFound || plan.inputError)) {
          s.data = { ...s.data, scheduleFound: plan.scheduleFound, scheduleInputError: plan.inputError ?? null };
          const answer = await ask(
            FinalSyncQuestion.whichSyncs,
            `${plan.scheduleFound ? `The credit memo sync schedule's input cannot be read (${plan.inputError})` : 'No credit memo sync schedule was found'}; ` +
              'which NetSuite credit memo syncs did the tenant have enabled? completeStep { "stepId": "' +
              `${s.id}", "by": "…", "data": { "standard": true|false, "negativeBalance": true|false } }; or fix the ` +
              'schedule and retryStep.',
          );
          if (answer === null) return;
          if (answer.completion) {
            syncs = {
              standard: yesNo(answer.completion.data.standard) === true,
              negativeBalance: yesNo(answer.completion.data.negativeBalance) === true,
            };
            s.data = { ...s.data, syncsGiven: { ...syncs, by: answer.completion.by } };
            break;
          }
          plan = await acts.readCreditMemoSyncSchedule({ tenantId });
        }
        // Pause the schedule and let its running sync finish *before* the final run, so the two never work on the
        // same memos at once. (Upgrades started before this change paused it after the final run.)
        const pauseFirst = patched(PAUSE_SCHEDULE_BEFORE_FINAL_SYNC);
        if (pauseFirst && !options.dryRun) {
          s.data.schedule = await drain.pauseScheduleAndWaitForRunningSync({
            tenantId,
            schedule: 'credit-memo',
            note: `paused by upgrade ${workflowId}`,
          });
        }
        for (let round = 1; ; round++) {
          const childId = `${workflowId}-final-credit-memo-sync-${s.attempts}${round > 1 ? `-${round}` : ''}`;
          const result = await executeChild(syncNetSuiteCreditMemos, {
            workflowId: childId,
            args: [{ ...plan.syncInput, ...syncs, tenantId, fullScan: true, dryRun: options.dryRun }],
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          });
          state.syncs.finalCreditMemoSync = summarizeSync(result);
          s.data = {
            ...s.data,
            scheduleFound: plan.scheduleFound,
            created: result.created,
            failed: result.failed,
            eligibleRemaining: result.eligibleRemaining,
          };
          if (result.eligibleRemaining > 0 || result.failed > 0) {
            throw ApplicationFailure.nonRetryable(
              `${result.eligibleRemaining} eligible credit memo(s) remain and ${result.failed} failed` +
                (result.reports.failures ? ` (report: ${result.reports.failures})` : ''),
              'CreditMemosNotDrained',
            );
          }
          // Memos not fully applied can never sync after Invoice Settlement: list them and let the operator decide.
          if (!asks || (result.skippedByReason['not-fully-applied'] ?? 0) === 0) break;
          const open = await acts.listNotFullyAppliedMemos({
            tenantId,
            syncWorkflowId: childId,
            limit: NOT_FULLY_APPLIED_LISTED,
          });
          s.data = { ...s.data, notFullyApplied: open };
          const more = open.count > open.memos.length ? `, … (${open.count} in all)` : '';
          const answer = await ask(
            FinalSyncQuestion.notFullyApplied,
            `${open.count} credit memo(s) are not fully applied: ${open.memos.join(', ')}${more}; full list: ` +
              `${open.report}. After Invoice Settlement they can never sync to Zuora. Apply them in NetSuite, then ` +
              `retryStep { "stepId": "${s.id}" } to run the final sync again; or completeStep { "stepId": ` +
              `"${s.id}" } to go on without them.`,
          );
          if (answer === null) return;
          if (answer.completion) {
            s.data = { ...s.data, notFullyAppliedAccepted: { count: open.count, by: answer.completion.by } };
            break;
          }
        }
        if (!pauseFirst && !options.dryRun) {
          const paused = await acts.pauseSchedule({
            tenantId,
            schedule: 'credit-memo',
            note: `paused by upgrade ${workflowId}`,
          });
          s.data.schedule = paused;
        }
      }),

    'prepare.verify-zuora-synced': (s) =>
      runAuto(s, async () => {
        for (;;) {
          const found = await acts.findUnsyncedBeforeUpgrade({ tenantId });
          s.data = { ...found };
          const left = found.itemAdjustments.count + found.negativeInvoices.count;
          if (left === 0) return;
          await markWaiting(
            s,
            `${found.itemAdjustments.count} invoice item adjustment(s) and ${found.negativeInvoices.count} negative ` +
              'invoice(s) are not synced to NetSuite (after Invoice Settlement they never can be). Sync them, then ' +
              'retryStep; or skipStep with a reason.',
          );
          await waitFor(s, () => state.inbox.retries[s.id] !== undefined);
          if (skipped(s)) return;
          delete state.inbox.retries[s.id];
          s.state = 'running';
          publish();
        }
      }),

    'prepare.freeze-negative-invoices': (s) => runManual(s),

    'enable-invoice-settlement': async (s) => {
      s.startedAt ??= now();
      for (;;) {
        if (state.inbox.enabledClaims.length === 0) {
          await markWaiting(s, 'When Zuora has enabled Invoice Settlement: invoiceSettlementEnabled { "by": "…" }');
          await waitFor(s, () => state.inbox.enabledClaims.length > 0);
        }
        if (skipped(s)) return;
        const claim = state.inbox.enabledClaims[0]!;
        s.state = 'running';
        publish();
        let enabled: boolean;
        try {
          enabled = await acts.verifyInvoiceSettlementEnabled({ tenantId });
        } catch (err) {
          // Zuora unreachable: the claim cannot be checked now. Keep waiting; the operator sends it again.
          state.inbox.enabledClaims = [];
          s.note = clip(
            `could not verify the claim by ${claim.by}: ${failureMessage(err)}; send invoiceSettlementEnabled again`,
            STORED_TEXT_MAX,
          );
          audit({ message: 'system', stepId: s.id, outcome: 'info', detail: s.note });
          continue;
        }
        state.inbox.enabledClaims = [];
        if (enabled) {
          s.state = 'done';
          s.by = claim.by;
          s.data = { verifiedAt: now(), claimedAt: claim.at };
          s.finishedAt = now();
          publish();
          return;
        }
        s.note = `claim by ${claim.by} at ${claim.at} not confirmed: the Zuora API says Invoice Settlement is not enabled`;
        audit({ message: 'invoiceSettlementEnabled', by: claim.by, outcome: 'rejected', detail: s.note });
      }
    },

    'migrate.credit-memos': (s) =>
      runAuto(s, async () => {
        const common = {
          tenantId,
          tenantConcurrencyLimit: options.tenantConcurrencyLimit,
          concurrencyBudget: options.migrationConcurrencyBudget,
          chunkRows: options.migrationChunkRows,
          heartbeatTimeoutSeconds: options.migrationHeartbeatTimeoutSeconds,
        };
        if (!state.migration.dryRun) {
          const dry = await executeChild(migrateCreditMemos, {
            workflowId: `${workflowId}-credit-memos-dry-run`,
            args: [{ ...common, dryRun: true }],
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          });
          state.migration.dryRun = {
            found: dry.remaining,
            sample: dry.reports.dryRunSample,
            ...(dry.byTransferredToAccounting ? { byTransferredToAccounting: dry.byTransferredToAccounting } : {}),
          };
          s.data.dryRunFound = dry.remaining;
        }
        if (s.data.approvedBy === undefined) {
          if (!state.inbox.approvals[s.id]) {
            awaitingApproval = s.id;
            await markWaiting(
              s,
              `Dry run: ${state.migration.dryRun.found} credit memo(s) would get Transferred To Accounting = Yes` +
                (state.migration.dryRun.sample ? ` (sample: ${state.migration.dryRun.sample})` : '') +
                `. This cannot be undone. To go ahead: approveStep { "stepId": "${s.id}", "by": "…" }`,
            );
            await waitFor(s, () => state.inbox.approvals[s.id] !== undefined);
            awaitingApproval = null;
            if (skipped(s)) return;
          }
          const a = state.inbox.approvals[s.id]!;
          delete state.inbox.approvals[s.id];
          s.data.approvedBy = a.by;
          s.data.approvedAt = a.at;
          if (a.note) s.note = a.note;
          s.state = 'running';
          publish();
        }
        if (options.dryRun) {
          s.note = 'rehearsal (dryRun): nothing was updated';
          return;
        }
        const result: MigrateCreditMemosResult = await executeChild(migrateCreditMemos, {
          workflowId: `${workflowId}-credit-memos`,
          args: [{ ...common, dryRun: false }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        });
        state.migration.result = {
          updated: result.counters.updated,
          failed: result.counters.failed,
          remaining: result.remaining,
          verified: result.verified,
          failuresReport: result.reports.failures,
          ...(result.byTransferredToAccounting ? { byTransferredToAccounting: result.byTransferredToAccounting } : {}),
        };
        s.data.updated = result.counters.updated;
        s.data.remaining = result.remaining;
        if (!result.verified) {
          throw ApplicationFailure.nonRetryable(
            `${result.remaining} migrated credit memo(s) are not Transferred To Accounting = Yes after ` +
              `${result.counters.passes} pass(es) (${result.counters.failed} refused by Zuora` +
              `${result.reports.failures ? `, report: ${result.reports.failures}` : ''})` +
              (result.byTransferredToAccounting
                ? `; by Transferred To Accounting: ${describeTransferCounts(result.byTransferredToAccounting)}`
                : ''),
            'MigrationIncomplete',
          );
        }
      }),

    'connector.oauth-client': (s) => runManual(s),
    'connector.new-instance': (s) => runManual(s),
    'connector.instance-credentials': (s) => runManual(s),

    'connector.support-ticket': (s) =>
      runManual(s, async () => {
        if (s.data.ticket !== undefined) return; // already composed and sent (e.g. before a continue-as-new)
        const newInstanceId = String(step('connector.new-instance').data.newInstanceId ?? '(not recorded)');
        const text = [
          'Please open a ticket with Zuora Global Support (https://support.zuora.com/):',
          `Subject: NetSuite connector re-provisioning after Invoice Settlement — tenant ${tenantId}`,
          `Old connector instance id: ${input.oldConnectorInstanceId}`,
          `New connector instance id: ${newInstanceId}`,
          'Request: a new account ID and environment ID for the new instance.',
          `Then: completeStep { "stepId": "${s.id}", "by": "…", "data": { "ticketId": "…" } }`,
        ].join('\n');
        s.data.ticket = { oldInstanceId: input.oldConnectorInstanceId, newInstanceId };
        await notify('support-ticket', s, 'Support ticket to open', text, `${s.id}:ticket`);
      }),

    'connector.provisioning-ids': async (s) => {
      s.startedAt ??= now();
      if (!state.inbox.provisioningIds) {
        await markWaiting(
          s,
          'When Zuora provisioning answers: provisioningIdsReceived { "by", "accountId", "environmentId" }',
        );
      }
      const started = Date.parse(s.startedAt);
      const every = parseDuration(options.reminderInterval);
      const escalateAt = started + parseDuration(options.escalationAfter);
      for (;;) {
        if (state.inbox.provisioningIds || skipped(s)) break;
        const reminders = Number(s.data.remindersSent ?? 0);
        const escalated = s.data.escalatedAt !== undefined;
        const nextReminder = started + (reminders + 1) * every;
        const wakeAt = escalated ? nextReminder : Math.min(nextReminder, escalateAt);
        const arrived = await waitFor(
          s,
          () => state.inbox.provisioningIds !== undefined,
          Math.max(0, wakeAt - Date.now()),
        );
        if (arrived) continue;
        const waitedDays = ((Date.now() - started) / 86_400_000).toFixed(1);
        if (!escalated && Date.now() >= escalateAt) {
          s.data.escalatedAt = now();
          state.openReminders.push({ kind: 'escalation', stepId: s.id, at: now(), count: 1 });
          await notify(
            'escalation',
            s,
            'Escalation: still no provisioning ids from Zuora',
            `Waiting for ${waitedDays} days. Chase the support ticket ${String(step('connector.support-ticket').data.ticketId ?? '')}.`,
            `${s.id}:escalation`,
          );
        }
        if (Date.now() >= nextReminder) {
          s.data.remindersSent = reminders + 1;
          const open = state.openReminders.find((r) => r.kind === 'reminder' && r.stepId === s.id);
          if (open) {
            open.count = reminders + 1;
            open.at = now();
          } else state.openReminders.push({ kind: 'reminder', stepId: s.id, at: now(), count: 1 });
          await notify(
            'reminder',
            s,
            'Reminder: waiting for provisioning ids from Zuora',
            `Waiting for ${waitedDays} days on ticket ${String(step('connector.support-ticket').data.ticketId ?? '')}.`,
            `${s.id}:reminder:${reminders + 1}`,
          );
        }
        publish();
      }
      state.openReminders = state.openReminders.filter((r) => r.stepId !== s.id);
      if (skipped(s)) return;
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
    },

    'connector.existing-ids': async (s) => {
      s.startedAt ??= now();
      if (!state.inbox.existingIds) {
        if (state.connectorPath !== 'reuse-existing-ids') {
          // The ticket path was taken: Zuora's provisioning ids came (or its steps were skipped by hand).
          state.connectorPath = 'support-ticket';
          markPathTaken(state.steps, 'support-ticket', undefined, now());
          publish();
          return;
        }
        await markWaiting(
          s,
          "Put the AccountId and EnvironmentId of the existing instance in the new instance's details, then: " +
            'reuseExistingIds { "by", "accountId", "environmentId" }',
        );
        await waitFor(s, () => state.inbox.existingIds !== undefined);
        if (skipped(s)) return;
      }
      const ids = state.inbox.existingIds!;
      state.inbox.existingIds = undefined;
      s.state = 'done';
      s.by = ids.by;
      s.data = { accountId: ids.accountId, environmentId: ids.environmentId, receivedAt: ids.at };
      s.finishedAt = now();
      publish();
    },
    'connector.new-oauth-client': (s) => {
      s.note ??= newOAuthClientNote(step('connector.existing-ids'));
      return runManual(s);
    },

    'connector.sync-preferences': (s) => runManual(s),
    'connector.retire-old': (s) => runManual(s),
    'payments.zuora-sync-updates-default': (s) => runManual(s),

    'payments.catch-up-sync': (s) =>
      runAuto(s, async () => {
        const result = await executeChild(syncNetSuitePayments, {
          workflowId: `${workflowId}-payment-catch-up-sync-${s.attempts}`,
          args: [{ tenantId, cutoverDate: options.paymentCutoverDate, fullScan: true, dryRun: options.dryRun }],
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        });
        state.syncs.paymentCatchUpSync = summarizeSync(result);
        s.data = { created: result.created, failed: result.failed, eligibleRemaining: result.eligibleRemaining };
        if (result.failed > 0) {
          throw ApplicationFailure.nonRetryable(
            `${result.failed} payment(s) failed to sync${result.reports.failures ? ` (report: ${result.reports.failures})` : ''}`,
            'PaymentSyncFailed',
          );
        }
      }),

    'schedules.switch': (s) =>
      runAuto(s, async () => {
        if (options.dryRun) {
          s.note = 'rehearsal (dryRun): schedules left as they are';
          return;
        }
        s.data = await acts.switchSchedules({
          tenantId,
          paymentSyncInterval: options.paymentSyncInterval,
          paymentCutoverDate: options.paymentCutoverDate,
        });
      }),
  };

  // -------------------------------------------------------------------------------------------------------------
  publish();
  if (!carry) {
    audit({
      message: 'system',
      outcome: 'info',
      detail: `upgrade started for tenant ${tenantId} (old connector instance ${input.oldConnectorInstanceId})`,
    });
  }
  for (const def of [...state.steps]) {
    const s = step(def.id);
    if (s.state === 'done' || skipped(s)) continue;
    if (state.paused) {
      publish();
      await condition(() => state.paused === null || workflowInfo().continueAsNewSuggested);
      if (state.paused) await maybeContinueAsNew();
    }
    if (skipped(s)) continue;
    log.info('upgrade step', { stepId: s.id });
    await stepBodies[def.id](s);
    await maybeContinueAsNew();
  }

  state.finishedAt = now();
  audit({ message: 'system', outcome: 'info', detail: 'upgrade finished' });
  publish();
  await notify('done', null, 'Invoice Settlement upgrade finished', renderSummary(status()), 'done');
  await condition(allHandlersFinished);
  return status();
}

function failureMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  // Child and activity failures wrap the real reason: show the innermost message.
  while (e?.cause && typeof (e.cause as { message?: unknown }).message === 'string') e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/** A yes/no answer: JSON true/false, or the text "true"/"false" the CLI's `--data key=value` sends. */
function yesNo(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

function summarizeSync(r: SyncResult): Record<string, unknown> {
  return {
    examined: r.examined,
    created: r.created,
    alreadyInZuora: r.alreadyInZuora,
    synced: r.synced,
    skippedByReason: r.skippedByReason,
    failed: r.failed,
    eligibleRemaining: r.eligibleRemaining,
    reconciliationNeeded: r.reconciliationNeeded,
    reports: r.reports,
  };
}

function renderSummary(s: UpgradeStatus): string {
  const skippedSteps = s.steps.filter((x) => x.state === 'skipped');
  return [
    `All ${s.steps.length} steps finished (${skippedSteps.length} skipped${skippedSteps.length ? `: ${skippedSteps.map((x) => x.id).join(', ')}` : ''}).`,
    s.migration.result ? `Migrated credit memos updated: ${s.migration.result.updated}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
