// One command per human step of the upgrade, with typed flags, so nobody hand-writes JSON. The table is also what
// `status` uses to say which command moves the upgrade on.
import {
  FinalSyncQuestion,
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  type ConnectorPath,
  type MessageName,
  type StepId,
} from '../../shared/upgrade';

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
    command: 'acknowledge-readiness',
    stepId: 'prepare.readiness-preflight',
    summary: "Leave a row of Zuora's readiness checklist as it is, with why (step 4; docs/product.md)",
    message: 'acknowledgeReadiness',
    flags: [
      { flags: '--row <row>', description: 'the checklist row, e.g. error-payments', key: 'row', required: true },
      { flags: '--reason <text>', description: 'why it may stay as it is', key: 'reason', required: true },
    ],
    payload: (o) => ({ row: o.row, reason: o.reason }),
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
    summary:
      'Approve the bulk update after reading the dry-run counts (step 5); sent again after the canary’s result, ' +
      'it releases the rest',
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
    command: 'credentials-entered',
    stepId: 'connector.instance-credentials',
    summary: "The NetSuite and Zuora credentials are entered in the new instance's pop-up (step 8; never here)",
    message: 'completeStep',
    flags: [],
    payload: () => complete('connector.instance-credentials'),
  },
  {
    command: 'ticket',
    stepId: 'connector.support-ticket',
    summary: 'The Zuora Global Support ticket is open (step 9; support-ticket path)',
    message: 'completeStep',
    flags: [{ flags: '--ticket-id <id>', description: 'the support ticket id', key: 'ticketId', required: true }],
    payload: (o) => complete('connector.support-ticket', { ticketId: o.ticketId }),
  },
  {
    command: 'provide-ids',
    stepId: 'connector.provisioning-ids',
    summary: "Zuora's provisioning team sent the new account and environment ids (step 10; support-ticket path)",
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
    command: 'reuse-ids',
    stepId: 'connector.existing-ids',
    summary:
      "Re-use an existing instance's AccountId and EnvironmentId instead of the support ticket (step 11; seed 001)",
    message: 'reuseExistingIds',
    flags: [
      { flags: '--account-id <id>', description: 'the existing AccountId', key: 'accountId', required: true },
      {
        flags: '--environment-id <id>',
        description: 'the existing EnvironmentId',
        key: 'environmentId',
        required: true,
      },
    ],
    payload: (o) => ({ accountId: o.accountId, environmentId: o.environmentId }),
  },
  {
    command: 'new-oauth-client',
    stepId: 'connector.new-oauth-client',
    summary: 'The new Zuora OAuth client exists, made after the instance details were updated (step 12; re-use path)',
    message: 'completeStep',
    flags: [{ flags: '--client-id <id>', description: 'the new OAuth client id', key: 'clientId', required: true }],
    payload: (o) => complete('connector.new-oauth-client', { oauthClientId: o.clientId }),
  },
  {
    command: 'sync-preferences-configured',
    stepId: 'connector.sync-preferences',
    summary: 'The sync preferences of the new connector instance are configured (step 13)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('connector.sync-preferences'),
  },
  {
    command: 'old-instance-retired',
    stepId: 'connector.retire-old',
    summary: 'The old connector instance is no longer used (step 14)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('connector.retire-old'),
  },
  {
    command: 'sync-updates-default-set',
    stepId: 'payments.zuora-sync-updates-default',
    summary: 'In NetSuite, the Zuora Sync Updates field defaults to Yes (step 15)',
    message: 'completeStep',
    flags: [],
    payload: () => complete('payments.zuora-sync-updates-default'),
  },
];

/** The command line that moves a waiting or failed step on, for `status`. */
export function nextCommandFor(
  stepId: StepId,
  state: string,
  tenantId: string,
  connectorPath?: ConnectorPath | null,
  question?: unknown,
): string | null {
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
  if (stepId === 'prepare.readiness-preflight') {
    return (
      `fix what it lists, then: is-upgrade retry ${t} --step ${stepId}` +
      `   (or, per row left as it is: is-upgrade acknowledge-readiness ${t} --row <row> --reason "…")`
    );
  }
  if (question === FinalSyncQuestion.whichSyncs) {
    return (
      `is-upgrade complete ${t} --step ${stepId} --data standard=true|false --data negativeBalance=true|false` +
      `   (the syncs the tenant had enabled; or fix the schedule, then: is-upgrade retry ${t} --step ${stepId})`
    );
  }
  if (question === FinalSyncQuestion.notFullyApplied) {
    return (
      `apply them in NetSuite, then: is-upgrade retry ${t} --step ${stepId}` +
      `   (or, to go on without them: is-upgrade complete ${t} --step ${stepId})`
    );
  }
  const c = HUMAN_STEP_COMMANDS.find((x) => x.stepId === stepId);
  if (!c) return null;
  const line = (x: HumanStepCommand) =>
    ['is-upgrade', x.command, t, ...x.flags.filter((f) => f.required).map((f) => f.flags)].join(' ');
  // Until the path is chosen, the ticket steps can be left for the re-use path (seed 001).
  const reuse = HUMAN_STEP_COMMANDS.find((x) => x.stepId === 'connector.existing-ids')!;
  const orReuse =
    connectorPath === null && (stepId === 'connector.support-ticket' || stepId === 'connector.provisioning-ids');
  return orReuse ? `${line(c)}   (or, to re-use existing ids: ${line(reuse)})` : line(c);
}
