// invoiceSettlementUpgrade: Zuora's Invoice Settlement runbook for a NetSuite-connected tenant as one durable
// workflow. Steps run in order (STEPS in shared/upgrade.ts); each is automatic (an activity or child workflow),
// manual (an operator says it is done) or a wait (on Zuora). Every human message is validated, lands in the audit
// log, and is idempotent: a duplicate changes nothing, an early one is kept for its step.
// This file wires the parts: the state (./state.ts), the message rules (./messages.ts), the step runner
// (./runner.ts) and the step bodies (./steps/); it registers the handlers and runs the steps in order.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { FailureType } from '../../shared/failures';
import { IS_TENANT_ID, IS_UPGRADE_PHASE, IS_WAITING_ON } from '../../shared/search-attributes';
import {
  MESSAGE_DEFINITIONS,
  statusQuery,
  upgradeInputSchema,
  type MessageName,
  type MessageOutcome,
  type UpgradeInput,
  type UpgradeStatus,
} from '../../shared/upgrade';
import { STATUS_QUERY_DESCRIPTION, signalDescription, updateDescription } from '../../shared/web-ui';
import { parseWorkflowInput } from '../validation';
import { AUDIT_EXPORT, boundCarry, exportAll, exportDue, waitingBytes } from './audit-export';
import { auditExport, type Upgrade, type UpgradeCore } from './context';
import { apply, check, type Message, type MessageRules } from './messages';
import { registerMigrationPauseNotice } from './migration-pause';
import {
  AUDIT_LOG_EXPORT,
  CONNECTOR_PATHS_PATCH,
  CONTINUE_AS_NEW_UNDER_FLOOD,
  KEPT_MESSAGE_REPLACED,
  MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT,
  READINESS_PREFLIGHT_STEP,
  STRICT_MESSAGES,
} from './patches';
import { renderUpgradeMarkdown, renderUpgradeSummary } from './render';
import { StepRunner } from './runner';
import { initialState, isSkipped, recordAudit, statusOf, stepOf, type UpgradeCarry } from './state';
import { STEP_BODIES } from './steps';

export type { UpgradeCarry } from './state';

export async function invoiceSettlementUpgrade(rawInput: UpgradeInput, carry?: UpgradeCarry): Promise<UpgradeStatus> {
  const input = parseWorkflowInput(upgradeInputSchema, rawInput, 'invoiceSettlementUpgrade input');
  const { tenantId, options } = input;
  const workflowId = workflowInfo().workflowId;
  const now = () => new Date(Date.now()).toISOString();
  // Decided once, before any handler runs: the update validators cannot call patched() themselves. Upgrades
  // started before keep the message rules they started with, so that their histories replay the same.
  const rules: MessageRules = {
    migrationSkipNeedsAcknowledgement: patched(MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT),
    strict: patched(STRICT_MESSAGES),
    startedOn: options.connectorPath,
    awaitingApproval: null,
    approvals: options.approvals && { ...options.approvals, startedBy: input.by },
    replaceKept: patched(KEPT_MESSAGE_REPLACED),
  };
  // The step list is fixed at start and carried: upgrades started before the connector paths keep their 14.
  const state =
    carry?.state ??
    initialState(patched(CONNECTOR_PATHS_PATCH), options.connectorPath, now(), patched(READINESS_PREFLIGHT_STEP));
  const status = () => statusOf(state, { tenantId, workflowId, dryRun: options.dryRun });
  // The whole audit log goes to the report store (./audit-export.ts); a carried older state numbers what it has.
  if (patched(AUDIT_LOG_EXPORT) && !state.auditLog) {
    state.audit.forEach((e, i) => (e.seq = i + 1));
    state.auditLog = { report: null, recorded: state.audit.length, exported: 0, unexported: [...state.audit] };
  }
  // A flood of signals must not keep the upgrade from continuing as new (./audit-export.ts, ./runner.ts).
  const underFlood = patched(CONTINUE_AS_NEW_UNDER_FLOOD);
  let exporting: Promise<void> | undefined;
  const exportAudit = () =>
    (exporting ??= exportAll(
      state,
      (entries) => auditExport.exportAuditLog({ tenantId, workflowId, entries: entries as never }),
      underFlood,
    ).finally(() => (exporting = undefined)));

  let lastSearchAttributes = '';
  const core: UpgradeCore = {
    input,
    workflowId,
    state,
    rules,
    now,
    publish: () => {
      const s = status();
      setCurrentDetails(renderUpgradeMarkdown(s));
      const key = `${s.phase}|${s.waitingOn}`;
      if (key === lastSearchAttributes) return;
      lastSearchAttributes = key;
      upsertSearchAttributes([
        { key: IS_TENANT_ID, value: tenantId },
        { key: IS_UPGRADE_PHASE, value: s.phase },
        { key: IS_WAITING_ON, value: s.waitingOn },
      ]);
    },
    audit: (e) => recordAudit(state, e, now()),
    exportAudit,
    continueAsNewUnderFlood: underFlood,
    continueAsNew: async () => {
      // Everything exported first (entries recorded meanwhile too), then the carry bounded: nothing is lost. Under a
      // flood nothing-waiting never comes: what waits goes along (up to its bound) and the next run exports it, so
      // that one workflow task continues as new; a signal that comes during it makes the server refuse the
      // continue-as-new and deliver the signal to this run again (docs/temporal.md).
      const waiting = () => state.auditLog?.unexported ?? [];
      const more = () => (underFlood ? waitingBytes(waiting()) > AUDIT_EXPORT.carriedBytes : waiting().length > 0);
      while (more()) await exportAudit();
      const carried = boundCarry(state, [rawInput, { state }], underFlood);
      if (state.auditLog) {
        log.info('continue-as-new', {
          carriedBytes: carried.bytes,
          auditDropped: carried.dropped,
          auditCarried: waiting().length,
        });
      }
      return continueAsNew<typeof invoiceSettlementUpgrade>(rawInput, { state });
    },
  };
  const run = new StepRunner(core);
  const up: Upgrade = { ...core, run };

  for (const name of Object.keys(MESSAGE_DEFINITIONS) as MessageName[]) registerMessage(up, name);
  setHandler(statusQuery, status, { description: STATUS_QUERY_DESCRIPTION });
  registerMigrationPauseNotice(up);

  up.publish();
  if (!carry) {
    up.audit({
      message: 'system',
      outcome: 'info',
      by: input.by,
      detail: `upgrade started for tenant ${tenantId} (old connector instance ${input.oldConnectorInstanceId})`,
    });
  }
  for (const def of [...state.steps]) {
    const s = stepOf(state, def.id);
    if (s.state === 'done' || isSkipped(s)) continue;
    if (state.paused) {
      up.publish();
      await condition(() => state.paused === null || run.historyIsLong());
      if (state.paused) await run.continueAsNewIfLong();
    }
    if (isSkipped(s)) continue;
    log.info('upgrade step', { stepId: s.id });
    await STEP_BODIES[def.id](up, s);
    if (exportDue(state)) await exportAudit();
    await run.continueAsNewIfLong();
  }

  state.finishedAt = now();
  up.audit({ message: 'system', outcome: 'info', detail: 'upgrade finished' });
  up.publish();
  await run.notify('done', null, 'Invoice Settlement upgrade finished', renderUpgradeSummary(status()), 'done');
  await condition(allHandlersFinished);
  while (state.auditLog && state.auditLog.unexported.length > 0) await exportAudit();
  return status();
}

/**
 * A message is both a signal (fire and forget: a refusal is only audited) and an update (the caller gets the
 * outcome or the reason). The update's validator runs `check` synchronously, so a refused update never reaches
 * history.
 */
function registerMessage(up: Upgrade, name: MessageName): void {
  const { signal, update } = MESSAGE_DEFINITIONS[name];
  const accepted = (payload: unknown, outcome: MessageOutcome) => {
    const message: Message = { name, payload };
    apply(up.state, message, outcome, up.rules, up.now());
    if (outcome.outcome !== 'duplicate') up.publish();
  };
  setHandler(
    signal as unknown as SignalDefinition<[unknown]>,
    (payload: unknown) => {
      const v = check(up.state, { name, payload }, up.rules);
      if (!v.ok) {
        const by = (payload as { by?: unknown } | null)?.by;
        // Only audited: no log line and no re-render per refusal, so a flood of bad signals costs as little as it can
        // (test/upgrade/audit-flood.test.ts). The status, the audit log and the next publish show it.
        up.audit({ message: name, by: typeof by === 'string' ? by : undefined, outcome: 'rejected', detail: v.reason });
        return;
      }
      accepted(payload, v.outcome);
    },
    { description: signalDescription(name) },
  );
  setHandler(
    update as unknown as UpdateDefinition<MessageOutcome, [unknown]>,
    (payload: unknown) => {
      const v = check(up.state, { name, payload }, up.rules);
      if (!v.ok) throw ApplicationFailure.nonRetryable(v.reason, FailureType.InvalidMessage);
      accepted(payload, v.outcome);
      return v.outcome;
    },
    {
      description: updateDescription(name),
      validator: (payload: unknown) => {
        const v = check(up.state, { name, payload }, up.rules);
        if (!v.ok) throw new Error(v.reason);
      },
    },
  );
}
