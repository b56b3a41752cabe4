// One command per human step of the upgrade, with typed flags, so nobody hand-writes JSON. The table is also what
// `status` uses to say which command moves the upgrade on.
import { MIGRATION_SKIP_ACKNOWLEDGEMENT, type MessageName, type StepId } from '../../shared/upgrade';

export type StepFlag = { flags: string; description: string; key: string; required: boolean };

export type HumanStepCommand = {
  command: string;
  stepId: StepId;
  summary: string;
  message: MessageName;
  flags: StepFlag[];
  /** The message payload (without `by`) from the parsed flags. */
  payload: (o: Record<string, string | undefined>) => Record<string, unknown>;
};

const complete = (stepId: StepId, data?: Record<string, string | undefined>) => ({
  stepId,
  ...(data ? { data } : {}),
});

export const HUMAN_STEP_COMMANDS: HumanStepCommand[] = [
  {
    command: 'freeze-confirmed',
    stepId: 'prepare.freeze-negative-invoices',
    summary: 'Negative invoices and invoice item adjustments are no longer created (step 3)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('prepare.freeze-negative-invoices'),
  },
  {
    command: 'is-enabled',
    stepId: 'enable-invoice-settlement',
    summary: 'Zuora has enabled Invoice Settlement; the workflow verifies it with the Zuora API (step 4)',
    message: 'invoiceSettlementEnabled',
    flags: [],
    payload: () => ({}),
  },
  {
    command: 'approve-migration',
    stepId: 'migrate.credit-memos',
    summary: 'Approve the bulk update after reading the dry-run counts: it cannot be undone (step 5)',
    message: 'approveStep',
    flags: [{ flags: '--note <text>', description: 'why, e.g. "dry run reviewed"', key: 'note', required: false }],
    payload: (o) => ({ stepId: 'migrate.credit-memos', ...(o.note ? { note: o.note } : {}) }),
  },
  {
    command: 'oauth-client',
    stepId: 'connector.oauth-client',
    summary: 'The OAuth client for the Connect app exists (step 6; its id only, never the secret)',
    message: 'completeStep',
    flags: [{ flags: '--client-id <id>', description: 'the OAuth client id', key: 'clientId', required: true }],
    payload: (o) => complete('connector.oauth-client', { oauthClientId: o.clientId }),
  },
  {
    command: 'new-instance',
    stepId: 'connector.new-instance',
    summary: 'The new NetSuite connector instance exists (step 7)',
    message: 'completeStep',
    flags: [
      { flags: '--instance-id <id>', description: 'the new connector instance id', key: 'instanceId', required: true },
    ],
    payload: (o) => complete('connector.new-instance', { newInstanceId: o.instanceId }),
  },
  {
    command: 'ticket',
    stepId: 'connector.support-ticket',
    summary: 'The Zuora Global Support ticket is open (step 8)',
    message: 'completeStep',
    flags: [{ flags: '--ticket-id <id>', description: 'the support ticket id', key: 'ticketId', required: true }],
    payload: (o) => complete('connector.support-ticket', { ticketId: o.ticketId }),
  },
  {
    command: 'provide-ids',
    stepId: 'connector.provisioning-ids',
    summary: "Zuora's provisioning team sent the new account and environment ids (step 9)",
    message: 'provisioningIdsReceived',
    flags: [
      { flags: '--account-id <id>', description: 'the new account id', key: 'accountId', required: true },
      { flags: '--environment-id <id>', description: 'the new environment id', key: 'environmentId', required: true },
      { flags: '--ticket-id <id>', description: 'the ticket they answered', key: 'ticketId', required: false },
    ],
    payload: (o) => ({
      accountId: o.accountId,
      environmentId: o.environmentId,
      ...(o.ticketId ? { ticketId: o.ticketId } : {}),
    }),
  },
  {
    command: 'sync-preferences-configured',
    stepId: 'connector.sync-preferences',
    summary: 'The sync preferences of the new connector instance are configured (step 10)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('connector.sync-preferences'),
  },
  {
    command: 'old-instance-retired',
    stepId: 'connector.retire-old',
    summary: 'The old connector instance is no longer used (step 11)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('connector.retire-old'),
  },
  {
    command: 'sync-updates-default-set',
    stepId: 'payments.zuora-sync-updates-default',
    summary: 'In NetSuite, the Zuora Sync Updates field defaults to Yes (step 12)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('payments.zuora-sync-updates-default'),
  },
];

/** The command line that moves a waiting or failed step on, for `status`. */
export function nextCommandFor(stepId: StepId, state: string, tenantId: string): string | null {
  const t = `--tenant ${tenantId}`;
  // Skipping the migration names its risk (shared/upgrade.ts MIGRATION_SKIP_RISK).
  const ack = stepId === 'migrate.credit-memos' ? ` --acknowledge ${MIGRATION_SKIP_ACKNOWLEDGEMENT}` : '';
  if (state === 'failed') {
    return `is-upgrade retry ${t} --step ${stepId}   (or: is-upgrade skip ${t} --step ${stepId} --reason "…"${ack})`;
  }
  if (state !== 'waiting') return null;
  if (stepId === 'prepare.verify-zuora-synced') {
    return `sync what it lists to NetSuite, then: is-upgrade retry ${t} --step ${stepId}`;
  }
  const c = HUMAN_STEP_COMMANDS.find((x) => x.stepId === stepId);
  if (!c) return null;
  const flags = c.flags.filter((f) => f.required).map((f) => f.flags);
  return ['is-upgrade', c.command, t, ...flags].join(' ');
}
