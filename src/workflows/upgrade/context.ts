// What a step body works with: the upgrade's input and state, the step runner, and the activities it calls.
import { proxyActivities } from '@temporalio/workflow';
import type { UpgradeActivities } from '../../activities/upgrade';
import type { AuditEntry, StepStatus, upgradeInputSchema } from '../../shared/upgrade';
import type { z } from 'zod';
import type { MessageRules } from './messages';
import type { StepRunner } from './runner';
import type { UpgradeState } from './state';

export const acts = proxyActivities<UpgradeActivities>({
  // Short calls (a Zuora check, a notification, schedule changes). They heartbeat every 5 s while they run, so a
  // dead worker's call is retried after 30 s; the 5 minutes leave room for the clients to wait out a 429 (≤ 60 s).
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

/** Waits for a running scheduled sync to finish: heartbeats while it waits. */
export const drain = proxyActivities<UpgradeActivities>({
  startToCloseTimeout: '4h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

/** The audit log's export: retried until it succeeds (an entry must never be lost), each try short. */
export const auditExport = proxyActivities<UpgradeActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export type NotifyKind = Parameters<UpgradeActivities['notify']>[0]['kind'];

/** The upgrade as the step runner sees it. */
export type UpgradeCore = {
  input: z.output<typeof upgradeInputSchema>;
  workflowId: string;
  state: UpgradeState;
  rules: MessageRules;
  /** The workflow's clock as an ISO date (deterministic in workflow code). */
  now: () => string;
  /** Shows the state: the Web UI checklist and, when they change, the search attributes. */
  publish: () => void;
  audit: (e: Omit<AuditEntry, 'at'>) => void;
  /** Exports the audit entries not yet in the report store (./audit-export.ts); nothing before AUDIT_LOG_EXPORT. */
  exportAudit: () => Promise<void>;
  /** Continues as new with the state (the kept messages go along). */
  continueAsNew: () => Promise<never>;
  /** CONTINUE_AS_NEW_UNDER_FLOOD, decided once at start (a wait's condition cannot call patched()). */
  continueAsNewUnderFlood?: boolean;
};

/** The upgrade as a step body sees it: with the runner. */
export type Upgrade = UpgradeCore & { run: StepRunner };

/** One runbook step: what it does, given the upgrade and the step's status. */
export type StepBody = (up: Upgrade, s: StepStatus) => Promise<void>;
