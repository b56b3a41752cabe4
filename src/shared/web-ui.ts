// What the Temporal Web UI shows beside the history (user metadata, docs/web-ui.md §1): the static summary and
// details of each workflow we start, and the description of every signal, update and query, with an example payload
// an operator can paste into "Send a Signal". Free of I/O: the workflows, the client and the tests import it.
//
// A static summary is fixed when the workflow starts, so it holds only what never changes (what the workflow is,
// the tenant, the options that matter). What changes — the phase and what the upgrade waits on — is the first line
// of the Current Details (the markdown checklist, src/workflows/upgrade/render.ts) and the search attributes
// IsUpgradePhase / IsWaitingOn (columns in the workflow list).
import type { MessageName } from './upgrade';

/** Web UI text for one message: what it does, and a payload its schema accepts (test/unit/web-ui.unit.test.ts). */
export type MessageHelp = { does: string; example: Record<string, unknown> };

export const MESSAGE_HELP: Record<MessageName, MessageHelp> = {
  invoiceSettlementEnabled: {
    does: 'Zuora has enabled Invoice Settlement; the workflow checks the claim against the Zuora API.',
    example: { by: 'ana@example.com' },
  },
  provisioningIdsReceived: {
    does: "Zuora provisioning answered the support ticket with the new connector's account and environment ids.",
    example: { by: 'ana@example.com', accountId: 'ACC-1234', environmentId: 'ENV-5678', ticketId: 'ZS-42' },
  },
  reuseExistingIds: {
    does: 'Take the re-use path (seed 001): the AccountId and EnvironmentId of an existing connector instance.',
    example: { by: 'ana@example.com', accountId: 'ACC-1234', environmentId: 'ENV-5678' },
  },
  completeStep: {
    does: 'A manual step is done (some steps need data, e.g. data.newInstanceId); also answers the final sync.',
    example: { by: 'ana@example.com', stepId: 'prepare.freeze-negative-invoices' },
  },
  approveStep: {
    does: 'Pass the approval gate before an irreversible step (the bulk update of the credit memos).',
    example: { by: 'ana@example.com', stepId: 'migrate.credit-memos', note: 'dry run checked' },
  },
  skipStep: {
    does: 'Skip a step that has come (a reason is required; migrate.credit-memos also needs "acknowledge").',
    example: { by: 'ana@example.com', stepId: 'prepare.freeze-negative-invoices', reason: 'done by hand' },
  },
  retryStep: {
    does: 'Run a failed step again (after fixing its cause).',
    example: { by: 'ana@example.com', stepId: 'migrate.credit-memos' },
  },
  pause: {
    does: 'No new step starts until resume (a running step finishes first).',
    example: { by: 'ana@example.com', reason: 'month-end close' },
  },
  resume: {
    does: 'Undo pause: the next step starts.',
    example: { by: 'ana@example.com' },
  },
  acknowledgeReadiness: {
    does: 'Accept the offenders of one readiness row (prepare.readiness-preflight) by its name, with a reason.',
    example: { by: 'ana@example.com', row: 'draft-payments', reason: 'voided by finance before enablement' },
  },
};

const example = (name: MessageName) => JSON.stringify(MESSAGE_HELP[name].example);

/** The signal's description: a refused signal is only recorded in the audit log. */
export const signalDescription = (name: MessageName): string =>
  `${MESSAGE_HELP[name].does} Signal: fire and forget, a refusal lands in the audit log. Example: ${example(name)}`;

/** The update's description: the caller gets the outcome, or the reason it was refused. */
export const updateDescription = (name: MessageName): string =>
  `${MESSAGE_HELP[name].does} Update: answers accepted, duplicate or kept-for-later, or refuses with the reason. ` +
  `Example: ${example(name)}`;

export const STATUS_QUERY_DESCRIPTION =
  'The whole upgrade: phase, waiting on, every step (state, who, when, data), migration and sync counters, open ' +
  'reminders and the audit log. No arguments.';

export const PROGRESS_QUERY_DESCRIPTION =
  'The migration: pass, rows done and remaining, updated, refused, rate. No arguments.';

/** Joined the way the Web UI reads a one-line summary. */
const line = (...parts: Array<string | false | undefined>) => parts.filter(Boolean).join(' · ');

/** The upgrade's static summary and details (set by `is-upgrade start`). */
export function upgradeMetadata(o: { tenantId: string; oldConnectorInstanceId: string; dryRun?: boolean }): {
  staticSummary: string;
  staticDetails: string;
} {
  return {
    staticSummary: line(
      'Invoice Settlement upgrade',
      o.tenantId,
      o.dryRun && 'rehearsal (dry run)',
      'phase and waiting on: Current Details',
    ),
    staticDetails:
      `Tenant \`${o.tenantId}\`, old connector instance \`${o.oldConnectorInstanceId}\`.\n\n` +
      'Where it stands: the first line of **Current Details** (phase · waiting on), the checklist below it, and the ' +
      'search attributes IsUpgradePhase and IsWaitingOn. Send the human steps from **Send a Signal** (each ' +
      "message's description has an example payload) or `is-upgrade` (`is-upgrade status --tenant " +
      `${o.tenantId}\`).`,
  };
}

/** A migration child of the upgrade (the dry run, then the bulk update). */
export const migrationSummary = (tenantId: string, dryRun: boolean): string =>
  line(
    'Invoice Settlement upgrade',
    tenantId,
    dryRun
      ? 'credit memo migration dry run (writes nothing)'
      : 'credit memo migration: Transferred To Accounting = Yes',
  );

export type SyncRunKind = 'credit-memo' | 'payment';
const SYNC_TITLE: Record<SyncRunKind, string> = {
  'credit-memo': 'NetSuite credit memo sync',
  payment: 'NetSuite payment sync',
};

/** A sync run: `how` says who started it (the schedule and its interval, or the upgrade's step). */
export const syncSummary = (kind: SyncRunKind, tenantId: string, how: string): string =>
  line(SYNC_TITLE[kind], tenantId, how);
