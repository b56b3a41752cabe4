// The upgrade's state (carried across continue-as-new) and what it says: the current step, who it waits on, the
// status the query answers. Plain code, no workflow API: the message rules (./messages.ts) and their unit tests
// work on it without a server.
import { clip } from '../../shared/text';
import {
  MESSAGE_BOUNDS,
  phaseOf,
  type AuditEntry,
  type ConnectorPath,
  type ProvisioningIdsReceived,
  type Reminder,
  type ReuseExistingIds,
  type StepId,
  type StepStatus,
  type UpgradeStatus,
  type WaitingOn,
} from '../../shared/upgrade';
import { AUDIT_BOUNDS, boundAudit } from '../../shared/upgrade-bounds';
import { connectorPathOf, initialSteps } from './connector-path';

/** Step 1: the final credit memo sync, which may ask the operator (FINAL_SYNC_ASKS_OPERATOR). */
export const FINAL_SYNC: StepId = 'prepare.final-credit-memo-sync';
/** Steps that need an explicit approval before they write (the irreversible bulk update). */
export const APPROVAL_GATES: ReadonlySet<StepId> = new Set(['migrate.credit-memos']);
/** Steps whose wait is on Zuora support rather than on the operator. */
export const ZUORA_SUPPORT_WAITS: ReadonlySet<StepId> = new Set([
  'enable-invoice-settlement',
  'connector.provisioning-ids',
]);

type Claim = { by: string; at: string };

/** What a continued-as-new run carries. Its shape is in recorded histories: keep its fields and their order. */
export type UpgradeState = {
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
  /**
   * AUDIT_LOG_EXPORT: the whole log in the report store. `recorded` numbers every entry (its seq); `unexported` holds
   * the entries not yet exported, whatever `audit` has dropped (./audit-export.ts empties it before continue-as-new).
   */
  auditLog?: { report: string | null; recorded: number; exported: number; unexported: AuditEntry[] };
};

export type UpgradeCarry = { state: UpgradeState };

/** A new upgrade's state: the step list is fixed here and carried (upgrades started before the paths keep 14). */
export function initialState(
  withConnectorPaths: boolean,
  path: ConnectorPath | undefined,
  at: string,
  /** READINESS_PREFLIGHT_STEP: upgrades started before it have no readiness step. */
  withReadinessPreflight = false,
): UpgradeState {
  return {
    steps: initialSteps(withConnectorPaths, path, at, withReadinessPreflight),
    audit: [],
    paused: null,
    inbox: { enabledClaims: [], completions: {}, approvals: {}, retries: {} },
    migration: {},
    syncs: {},
    openReminders: [],
    startedAt: at,
    finishedAt: null,
    connectorPath: path,
  };
}

export const stepOf = (state: UpgradeState, id: StepId): StepStatus => state.steps.find((s) => s.id === id)!;

/** The first step neither done nor skipped; undefined once the upgrade is through. */
export const currentStep = (state: UpgradeState): StepStatus | undefined =>
  state.steps.find((s) => s.state !== 'done' && s.state !== 'skipped');

export const isSkipped = (s: StepStatus): boolean => s.state === 'skipped';

export function waitingOn(state: UpgradeState): WaitingOn {
  const c = currentStep(state);
  if (!c || state.paused) return state.paused ? 'operator' : 'nothing';
  if (c.state === 'waiting' || c.state === 'failed')
    return ZUORA_SUPPORT_WAITS.has(c.id) ? 'zuora-support' : 'operator';
  // The migration child is paused (./migration-pause.ts): it goes on only when an operator resumes it.
  if (c.id === 'migrate.credit-memos' && c.state === 'running' && state.migration.paused) return 'operator';
  return 'nothing';
}

/** The statusQuery answer: a copy, so that a caller cannot change the state through it. */
export function statusOf(
  state: UpgradeState,
  run: { tenantId: string; workflowId: string; dryRun: boolean },
): UpgradeStatus {
  return {
    tenantId: run.tenantId,
    workflowId: run.workflowId,
    phase: phaseOf(currentStep(state)?.id ?? null),
    currentStep: currentStep(state)?.id ?? null,
    waitingOn: waitingOn(state),
    paused: state.paused,
    dryRun: run.dryRun,
    connectorPath: connectorPathOf(state.steps, state.connectorPath),
    steps: state.steps.map((s) => ({ ...s, data: { ...s.data } })),
    migration: state.migration,
    syncs: state.syncs,
    openReminders: [...state.openReminders],
    audit: [...state.audit],
    startedAt: state.startedAt,
    finishedAt: state.finishedAt,
    ...(state.auditLog
      ? {
          auditLog: {
            report: state.auditLog.report,
            recorded: state.auditLog.recorded,
            exported: state.auditLog.exported,
          },
        }
      : {}),
  };
}

/** One audit entry. */
export function recordAudit(state: UpgradeState, e: Omit<AuditEntry, 'at'>, at: string): void {
  // A rejected message's sender and reason echo what was sent: clipped, so that a flood of huge messages cannot
  // grow the status past what a query can answer (gRPC's 4 MB; found by test/fuzz/messages.test.ts).
  const entry: AuditEntry = {
    ...(state.auditLog ? { seq: ++state.auditLog.recorded } : {}),
    at,
    ...e,
    by: clip(e.by, MESSAGE_BOUNDS.by),
    stepId: clip(e.stepId, AUDIT_BOUNDS.stepId),
    detail: clip(e.detail, AUDIT_BOUNDS.detail),
  };
  state.audit.push(entry);
  // Kept until exported, even when the log below drops it (./audit-export.ts).
  state.auditLog?.unexported.push(entry);
  // The audit log lives in history too: the newest entries are kept within a count and a size (shared/upgrade-bounds.ts).
  boundAudit(state.audit);
}
