// The invoiceSettlementUpgrade operator contract (docs/product.md): start input, steps, signals, updates and the status
// query. Operators' scripts and the project's CLI rely on these names; change them only with a versioned plan.
// Free of I/O: imported by the workflow (sandboxed) and by the client.
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { approvalsSchema, operatorSchema } from './approvals';
import { tenantIdSchema, type MigrationManifestSummary, type TransferCount } from './migration';
import { readinessRowSchema } from './readiness';
import { isSecretKey, secretShapeOf } from './secrets';
import { clip, hasControlChars, jsonBytes } from './text';
import type { MigrationPauseNotice } from './migration-control';

export const upgradeWorkflowId = (tenantId: string) => `is-upgrade-${tenantId}`;
export const creditMemoScheduleId = (tenantId: string) => `netsuite-credit-memo-sync-${tenantId}`;
export const paymentScheduleId = (tenantId: string) => `netsuite-payment-sync-${tenantId}`;

// ---------------------------------------------------------------------------------------------------------------
// Steps
export const STEPS = [
  {
    id: 'prepare.final-credit-memo-sync',
    kind: 'auto',
    title: 'Run the NetSuite→Zuora credit memo sync one last time and pause its schedule',
  },
  {
    id: 'prepare.verify-zuora-synced',
    kind: 'auto',
    title: 'Verify no invoice item adjustment or negative invoice is left unsynced to NetSuite',
  },
  {
    id: 'prepare.freeze-negative-invoices',
    kind: 'manual',
    title: 'Confirm negative invoices and invoice item adjustments are no longer created',
  },
  {
    // Zuora's "Validate transactions" checklist as queries (docs/zuora.md §10); shared/readiness.ts has the rows.
    id: 'prepare.readiness-preflight',
    kind: 'auto',
    title: "Run Zuora's readiness checklist; every row clean or acknowledged (acknowledgeReadiness)",
  },
  {
    id: 'enable-invoice-settlement',
    kind: 'wait',
    title: 'Zuora enables Invoice Settlement (verified through the Zuora API)',
  },
  {
    id: 'migrate.credit-memos',
    kind: 'auto',
    title: 'Set Transferred To Accounting = Yes on every migrated credit memo (dry run, approval, update, verify)',
  },
  {
    id: 'connector.oauth-client',
    kind: 'manual',
    title: 'Generate an OAuth client for the Connect app (data: oauthClientId)',
  },
  {
    id: 'connector.new-instance',
    kind: 'manual',
    title: 'Create the new NetSuite connector instance (data: newInstanceId)',
  },
  {
    // Seed 000 step 5: the credentials go into Zuora Connect's pop-up, never into this workflow (history is forever).
    id: 'connector.instance-credentials',
    kind: 'manual',
    title: "Enter the NetSuite and Zuora credentials in the new instance's pop-up (never send them here)",
  },
  {
    id: 'connector.support-ticket',
    kind: 'manual',
    title: 'Open the Zuora Global Support ticket with the old and new instance ids (data: ticketId)',
  },
  {
    id: 'connector.provisioning-ids',
    kind: 'wait',
    title: "Zuora's provisioning team sends the new account id and environment id",
  },
  // The other connector path (seed 001): a license has two permanent instances, so the tenant may re-use the
  // AccountId and EnvironmentId of an existing one instead of the ticket; then a new Zuora OAuth client is needed.
  {
    id: 'connector.existing-ids',
    kind: 'wait',
    title: "Re-use an existing instance's AccountId and EnvironmentId in the new instance's details (re-use path)",
  },
  {
    id: 'connector.new-oauth-client',
    kind: 'manual',
    title: 'Create a new Zuora OAuth client after the instance details are updated (re-use path; data: oauthClientId)',
  },
  {
    id: 'connector.sync-preferences',
    kind: 'manual',
    title: 'Configure the sync preferences of the new connector instance',
  },
  { id: 'connector.retire-old', kind: 'manual', title: 'Stop using the old connector instance' },
  {
    id: 'payments.zuora-sync-updates-default',
    kind: 'manual',
    title: 'In NetSuite, make the Zuora Sync Updates field default to Yes',
  },
  { id: 'payments.catch-up-sync', kind: 'auto', title: 'Run the NetSuite→Zuora payment sync once' },
  {
    id: 'schedules.switch',
    kind: 'auto',
    title: 'Retire the credit memo sync schedule; create and start the payment sync schedule',
  },
] as const;

export type StepId = (typeof STEPS)[number]['id'];
export const STEP_IDS = STEPS.map((s) => s.id) as unknown as readonly [StepId, ...StepId[]];
export type StepKind = 'auto' | 'manual' | 'wait';
export type StepState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'skipped';
export type Phase = 'prepare' | 'enable' | 'migrate' | 'connector' | 'payments' | 'schedules' | 'done';
export type WaitingOn = 'operator' | 'zuora-support' | 'nothing';
/** Seed 000: a support ticket brings new ids (days); seed 001: the ids of an existing instance are re-used. */
export const CONNECTOR_PATHS = ['support-ticket', 'reuse-existing-ids'] as const;
export type ConnectorPath = (typeof CONNECTOR_PATHS)[number];

export function phaseOf(stepId: StepId | null): Phase {
  if (stepId === null) return 'done';
  if (stepId === 'enable-invoice-settlement') return 'enable';
  return stepId.split('.')[0] as Phase;
}

// ---------------------------------------------------------------------------------------------------------------
// Start input
const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration such as "30m", "24h" or "5d"');

export const upgradeOptionsSchema = z
  .object({
    /** How often a person is reminded while the upgrade waits on Zuora support for provisioning ids. */
    reminderInterval: duration.default('24h'),
    /** When a wait on Zuora support is escalated. */
    escalationAfter: duration.default('5d'),
    /** Migration: the tenant's concurrency limit (deprecated: docs/tenant-budget.md §5) and our share of it. */
    tenantConcurrencyLimit: z.number().int().positive().default(40),
    migrationConcurrencyBudget: z.number().int().positive().optional(),
    migrationChunkRows: z.number().int().min(50).default(100_000),
    /** How soon a migration chunk whose worker died is resumed elsewhere. */
    migrationHeartbeatTimeoutSeconds: z.number().int().min(2).max(600).default(30),
    /** The canary: after the approval, this many memos are written and shown, and a second approval releases the
     * rest (issue 14). 0: no canary. */
    migrationCanaryMemos: z
      .number({ message: 'migrationCanaryMemos must be a whole number from 0 to 10000' })
      .int('migrationCanaryMemos must be a whole number from 0 to 10000')
      .min(0, 'migrationCanaryMemos must be a whole number from 0 to 10000 (0: no canary)')
      .max(10_000, 'migrationCanaryMemos must be a whole number from 0 to 10000')
      .default(50),
    /** Rehearsal: the migration only dry-runs, syncs write nothing, schedules are left as they are. */
    dryRun: z.boolean().default(false),
    /** Interval of the payment sync schedule created at the end. */
    paymentSyncInterval: duration.default('30m'),
    /** Start of the payment sync (ISO date): NetSuite payments before it are not synced. */
    paymentCutoverDate: z.iso.date({ message: 'must be a date such as 2026-01-31' }).optional(),
    /** The connector path, if known at start; otherwise the ticket path unless reuseExistingIds comes first. */
    connectorPath: z.enum(CONNECTOR_PATHS, { message: `must be one of: ${CONNECTOR_PATHS.join(', ')}` }).optional(),
    /** Who may approve the approval gates (./approvals.ts); absent: anyone. */
    approvals: approvalsSchema.optional(),
  })
  .strict();

export const upgradeInputSchema = z
  .object({
    tenantId: tenantIdSchema,
    oldConnectorInstanceId: z
      .string({ message: 'oldConnectorInstanceId is required' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'oldConnectorInstanceId must be an instance id such as 8a1f…'),
    options: upgradeOptionsSchema.default(upgradeOptionsSchema.parse({})),
    /** Who started the upgrade (absent in upgrades started before it was asked); the two-person rule needs it. */
    by: operatorSchema('by').optional(),
  })
  .strict()
  .refine((i) => !i.options.approvals?.twoPersonRule || i.by !== undefined, {
    message: 'options.approvals.twoPersonRule needs "by": who starts the upgrade (the approver must be someone else)',
    path: ['by'],
  });
export type UpgradeInput = z.input<typeof upgradeInputSchema>;
export type UpgradeParams = z.output<typeof upgradeInputSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Messages. Every human message says who sent it; it lands in the audit log whether accepted or not.
// Every field has a bound (README "Operating an upgrade": message bounds), so that no message, however often it is
// sent, can grow the workflow's state past what Temporal can carry (issue 16 point 1).
export const MESSAGE_BOUNDS = {
  /** `by`: who sent it. */
  by: 200,
  /** `reason` of skipStep and pause, `note` of approveStep. */
  text: 1_000,
  /** completeStep `data`: flat (no nesting), at most this many keys ... */
  dataKeys: 20,
  /** ... each key a name of at most 64 characters ... */
  dataKeyLength: 64,
  /** ... and each string value at most 500 characters; all of it at most 4 KB as JSON. */
  dataValueLength: 500,
  dataBytes: 4 * 1024,
  /** provisioningIdsReceived `ticketId`. */
  ticketId: 64,
} as const;

const noControlChars = (v: string) => !hasControlChars(v);
const controlCharsMessage = (field: string) =>
  `${field} must not contain control characters (newlines, tabs, escape sequences, bidi overrides)`;
/** Free text an operator writes: trimmed, bounded, one line of printable characters. */
const text = (
  field: string,
  o: { min: number; max: number; strict: boolean; required: string; missing?: string; legacyMax?: number },
) => {
  const base = z
    .string({ message: o.missing ?? o.required })
    .trim()
    .min(o.min, o.required);
  if (!o.strict) return o.legacyMax === undefined ? base : base.max(o.legacyMax);
  return base
    .max(o.max, `${field} must be at most ${o.max} characters`)
    .refine(noControlChars, controlCharsMessage(field));
};
const DATA_KEY = new RegExp(`^[A-Za-z][A-Za-z0-9_.-]{0,${MESSAGE_BOUNDS.dataKeyLength - 1}}$`);
const dataValue = (strict: boolean) =>
  z.union([
    strict
      ? z
          .string()
          .max(MESSAGE_BOUNDS.dataValueLength, `must be at most ${MESSAGE_BOUNDS.dataValueLength} characters`)
          .refine(noControlChars, 'must not contain control characters')
      : z.string().max(MESSAGE_BOUNDS.dataValueLength),
    z.number(),
    z.boolean(),
    z.null(),
  ]);
/** Step data is shown to everyone and kept in history forever: it must never carry a secret. */
const stepData = (strict: boolean) => {
  const legacy = z
    .record(z.string(), dataValue(false))
    .refine((d) => !Object.keys(d).some((k) => /secret|password|passwd|token(?!id)|private|credential/i.test(k)), {
      message: 'data must not contain secrets (keys like secret, password, token, credential): give ids only',
    });
  if (!strict) return legacy;
  // The key count is checked first, so that 4,000 keys cost one issue, not 4,000.
  return z
    .custom<Record<string, unknown>>(
      (d) =>
        typeof d !== 'object' || d === null || Array.isArray(d) || Object.keys(d).length <= MESSAGE_BOUNDS.dataKeys,
      `data must have at most ${MESSAGE_BOUNDS.dataKeys} keys`,
    )
    .pipe(
      z.record(z.string(), dataValue(true)).superRefine((d, ctx) => {
        if (jsonBytes(d) > MESSAGE_BOUNDS.dataBytes) {
          ctx.addIssue({ code: 'custom', message: `data must be at most ${MESSAGE_BOUNDS.dataBytes} bytes as JSON` });
        }
        for (const [key, value] of Object.entries(d)) {
          if (!DATA_KEY.test(key)) {
            ctx.addIssue({
              code: 'custom',
              message:
                `data keys must be names of 1-${MESSAGE_BOUNDS.dataKeyLength} letters, digits, "_", "." or "-" ` +
                `(got ${JSON.stringify(clip(key, MESSAGE_BOUNDS.dataKeyLength))})`,
            });
            continue;
          }
          // Never echo the value: the key names what to fix.
          if (isSecretKey(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'this key names a secret (password, token, API key, …): step data takes ids only',
            });
          } else if (typeof value === 'string') {
            const shape = secretShapeOf(value);
            if (shape) {
              ctx.addIssue({
                code: 'custom',
                path: [key],
                message: `the value looks like ${shape}: step data takes ids only, never a secret`,
              });
            }
          }
        }
      }),
    );
};

/**
 * Skipping the migration leaves memos that are not Yes, and the new connector syncs every memo whose Transferred To
 * Accounting is No, Error or Processing (docs/zuora.md §7): they would post to NetSuite a second time, which cannot be
 * undone. So a skip of migrate.credit-memos must carry this acknowledgement, and the status shows the risk.
 */
export const MIGRATION_SKIP_ACKNOWLEDGEMENT = 'new-connector-resyncs-unmigrated-memos';
export const MIGRATION_SKIP_RISK =
  'the migrated credit memos were not all set to Transferred To Accounting = Yes: the new connector syncs every memo ' +
  'whose Transferred To Accounting is No, Error or Processing, so those memos may post to NetSuite a second time';
/**
 * The message schemas. `strict` (every run that started with the BOUNDED_MESSAGES patch, and every client) adds the
 * bounds, the refusal of control characters and the screening of data values; upgrades that started before keep
 * the rules they started with, so that their recorded histories replay the same (their state is clipped anyway).
 */
export function messageSchemas(strict: boolean) {
  const by = text('"by"', {
    min: 1,
    max: MESSAGE_BOUNDS.by,
    strict,
    required: '"by" must not be empty: who is sending this',
    missing: '"by" is required: who is sending this (e.g. an email address)',
    legacyMax: MESSAGE_BOUNDS.by,
  });
  const stepId = z.enum(STEP_IDS, { message: `stepId must be one of: ${STEP_IDS.join(', ')}` });
  /** Provisioning ids as Zuora Connect issues them: letters, digits and dashes. */
  const provisioningId = (name: string) =>
    z
      .string({ message: `${name} is required` })
      .trim()
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,63}$/, `${name} must be 3-64 letters, digits or "-"`);
  const ticketId = strict
    ? z
        .string()
        .trim()
        .regex(
          new RegExp(`^[A-Za-z0-9][A-Za-z0-9._#-]{0,${MESSAGE_BOUNDS.ticketId - 1}}$`),
          `ticketId must be 1-${MESSAGE_BOUNDS.ticketId} letters, digits, ".", "_", "#" or "-"`,
        )
    : z.string().trim().min(1).max(MESSAGE_BOUNDS.ticketId);
  return {
    invoiceSettlementEnabled: z.object({ by }).strict(),
    provisioningIdsReceived: z
      .object({
        by,
        accountId: provisioningId('accountId'),
        environmentId: provisioningId('environmentId'),
        ticketId: ticketId.optional(),
      })
      .strict(),
    /** Chooses the re-use path (seed 001) and records the ids re-used: validated as provisioning ids are. */
    reuseExistingIds: z
      .object({ by, accountId: provisioningId('accountId'), environmentId: provisioningId('environmentId') })
      .strict(),
    completeStep: z.object({ by, stepId, data: stepData(strict).optional() }).strict(),
    approveStep: z
      .object({
        by,
        stepId,
        note: strict
          ? z
              .string()
              .max(MESSAGE_BOUNDS.text, `note must be at most ${MESSAGE_BOUNDS.text} characters`)
              .refine(noControlChars, controlCharsMessage('note'))
              .optional()
          : z.string().max(MESSAGE_BOUNDS.text).optional(),
      })
      .strict(),
    skipStep: z
      .object({
        by,
        stepId,
        reason: text('reason', {
          min: 3,
          max: MESSAGE_BOUNDS.text,
          strict,
          required: 'reason is required: why skip this step',
          missing: 'reason is required',
        }),
        /** Required to skip migrate.credit-memos: the sender has read MIGRATION_SKIP_RISK. */
        acknowledge: z
          .literal(MIGRATION_SKIP_ACKNOWLEDGEMENT, {
            message: `acknowledge, when given, must be "${MIGRATION_SKIP_ACKNOWLEDGEMENT}"`,
          })
          .optional(),
      })
      .strict(),
    retryStep: z.object({ by, stepId }).strict(),
    pause: z
      .object({
        by,
        reason: text('reason', { min: 1, max: MESSAGE_BOUNDS.text, strict, required: 'reason is required' }),
      })
      .strict(),
    resume: z.object({ by }).strict(),
    /** A readiness row left as it is, by name, with why (docs/product.md; shared/readiness.ts). */
    acknowledgeReadiness: z
      .object({
        by,
        row: readinessRowSchema,
        reason: text('reason', {
          min: 3,
          max: MESSAGE_BOUNDS.text,
          strict: true,
          required: 'reason is required: why this row may stay as it is',
          missing: 'reason is required: why this row may stay as it is',
        }),
      })
      .strict(),
  };
}
const STRICT = messageSchemas(true);
/** The rules of upgrades started before the message bounds (replay only; see messageSchemas). */
export const LEGACY_MESSAGES = messageSchemas(false);

export const invoiceSettlementEnabledSchema = STRICT.invoiceSettlementEnabled;
export const provisioningIdsReceivedSchema = STRICT.provisioningIdsReceived;
export const reuseExistingIdsSchema = STRICT.reuseExistingIds;
export const completeStepSchema = STRICT.completeStep;
export const approveStepSchema = STRICT.approveStep;
export const skipStepSchema = STRICT.skipStep;
export const retryStepSchema = STRICT.retryStep;
export const pauseSchema = STRICT.pause;
export const resumeSchema = STRICT.resume;
export const acknowledgeReadinessSchema = STRICT.acknowledgeReadiness;

export type InvoiceSettlementEnabled = z.infer<typeof invoiceSettlementEnabledSchema>;
export type ProvisioningIdsReceived = z.infer<typeof provisioningIdsReceivedSchema>;
export type ReuseExistingIds = z.infer<typeof reuseExistingIdsSchema>;
export type CompleteStep = z.infer<typeof completeStepSchema>;
export type ApproveStep = z.infer<typeof approveStepSchema>;
export type SkipStep = z.infer<typeof skipStepSchema>;
export type RetryStep = z.infer<typeof retryStepSchema>;
export type Pause = z.infer<typeof pauseSchema>;
export type Resume = z.infer<typeof resumeSchema>;
export type AcknowledgeReadiness = z.infer<typeof acknowledgeReadinessSchema>;

/**
 * The questions step prepare.final-credit-memo-sync may wait on (its `data.question`): which credit memo syncs the
 * tenant had enabled (no schedule, or one whose input cannot be read), and whether to go on without the memos not
 * fully applied (they can never sync after Invoice Settlement).
 */
export const FinalSyncQuestion = { whichSyncs: 'which-syncs', notFullyApplied: 'not-fully-applied' } as const;

/** Per-step data a manual completion must carry. */
export const REQUIRED_STEP_DATA: Partial<Record<StepId, { key: string; pattern: RegExp; hint: string }>> = {
  'connector.oauth-client': {
    key: 'oauthClientId',
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/,
    hint: 'the OAuth client id (never its secret)',
  },
  'connector.new-instance': {
    key: 'newInstanceId',
    pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/,
    hint: 'the new connector instance id',
  },
  'connector.support-ticket': {
    key: 'ticketId',
    pattern: /^[A-Za-z0-9][A-Za-z0-9._#-]{0,63}$/,
    hint: 'the Zuora Global Support ticket id',
  },
};
// Seed 001: "create a new Zuora OAuth" — an id like step connector.oauth-client's (the workflow refuses the same one).
REQUIRED_STEP_DATA['connector.new-oauth-client'] = {
  ...REQUIRED_STEP_DATA['connector.oauth-client']!,
  hint: 'the id of the NEW OAuth client (never its secret)',
};

/** What an accepted update answers. Rejections are ApplicationFailures with the reason as message. */
export type MessageOutcome = { outcome: 'accepted' | 'duplicate' | 'kept-for-later'; message: string };

export const MESSAGES = {
  invoiceSettlementEnabled: invoiceSettlementEnabledSchema,
  provisioningIdsReceived: provisioningIdsReceivedSchema,
  reuseExistingIds: reuseExistingIdsSchema,
  completeStep: completeStepSchema,
  approveStep: approveStepSchema,
  skipStep: skipStepSchema,
  retryStep: retryStepSchema,
  pause: pauseSchema,
  resume: resumeSchema,
  acknowledgeReadiness: acknowledgeReadinessSchema,
} as const;
export type MessageName = keyof typeof MESSAGES;

// Signals (fire and forget: a bad one is recorded as rejected in the audit log) ...
export const invoiceSettlementEnabledSignal = defineSignal<[InvoiceSettlementEnabled]>('invoiceSettlementEnabled');
export const provisioningIdsReceivedSignal = defineSignal<[ProvisioningIdsReceived]>('provisioningIdsReceived');
export const reuseExistingIdsSignal = defineSignal<[ReuseExistingIds]>('reuseExistingIds');
export const completeStepSignal = defineSignal<[CompleteStep]>('completeStep');
export const approveStepSignal = defineSignal<[ApproveStep]>('approveStep');
export const skipStepSignal = defineSignal<[SkipStep]>('skipStep');
export const retryStepSignal = defineSignal<[RetryStep]>('retryStep');
export const pauseSignal = defineSignal<[Pause]>('pause');
export const resumeSignal = defineSignal<[Resume]>('resume');
export const acknowledgeReadinessSignal = defineSignal<[AcknowledgeReadiness]>('acknowledgeReadiness');

// ... and the same messages as updates, whose validator refuses bad input before it reaches history.
export const invoiceSettlementEnabledUpdate = defineUpdate<MessageOutcome, [InvoiceSettlementEnabled]>(
  'invoiceSettlementEnabled',
);
export const provisioningIdsReceivedUpdate = defineUpdate<MessageOutcome, [ProvisioningIdsReceived]>(
  'provisioningIdsReceived',
);
export const reuseExistingIdsUpdate = defineUpdate<MessageOutcome, [ReuseExistingIds]>('reuseExistingIds');
export const completeStepUpdate = defineUpdate<MessageOutcome, [CompleteStep]>('completeStep');
export const approveStepUpdate = defineUpdate<MessageOutcome, [ApproveStep]>('approveStep');
export const skipStepUpdate = defineUpdate<MessageOutcome, [SkipStep]>('skipStep');
export const retryStepUpdate = defineUpdate<MessageOutcome, [RetryStep]>('retryStep');
export const pauseUpdate = defineUpdate<MessageOutcome, [Pause]>('pause');
export const resumeUpdate = defineUpdate<MessageOutcome, [Resume]>('resume');
export const acknowledgeReadinessUpdate = defineUpdate<MessageOutcome, [AcknowledgeReadiness]>('acknowledgeReadiness');

/** Each message's signal and update, by name: the one map the workflow, the CLI and the tests use. */
type Payload<K extends MessageName> = z.infer<(typeof MESSAGES)[K]>;
export const MESSAGE_DEFINITIONS: {
  [K in MessageName]: {
    signal: SignalDefinition<[Payload<K>]>;
    update: UpdateDefinition<MessageOutcome, [Payload<K>]>;
  };
} = {
  invoiceSettlementEnabled: { signal: invoiceSettlementEnabledSignal, update: invoiceSettlementEnabledUpdate },
  provisioningIdsReceived: { signal: provisioningIdsReceivedSignal, update: provisioningIdsReceivedUpdate },
  reuseExistingIds: { signal: reuseExistingIdsSignal, update: reuseExistingIdsUpdate },
  completeStep: { signal: completeStepSignal, update: completeStepUpdate },
  approveStep: { signal: approveStepSignal, update: approveStepUpdate },
  skipStep: { signal: skipStepSignal, update: skipStepUpdate },
  retryStep: { signal: retryStepSignal, update: retryStepUpdate },
  pause: { signal: pauseSignal, update: pauseUpdate },
  resume: { signal: resumeSignal, update: resumeUpdate },
  acknowledgeReadiness: { signal: acknowledgeReadinessSignal, update: acknowledgeReadinessUpdate },
};

// ---------------------------------------------------------------------------------------------------------------
// Status
export type StepStatus = {
  id: StepId;
  title: string;
  kind: StepKind;
  state: StepState;
  startedAt?: string;
  finishedAt?: string;
  /** Who completed, approved, skipped or retried it. */
  by?: string;
  data: Record<string, unknown>;
  note?: string;
  error?: string;
  attempts: number;
};

export type AuditEntry = {
  /** Its number in the whole log (1, 2, …), the key of its export to the report store; absent in older upgrades. */
  seq?: number;
  at: string;
  message: MessageName | 'system';
  by?: string;
  stepId?: string;
  outcome: 'accepted' | 'rejected' | 'duplicate' | 'kept-for-later' | 'info';
  detail: string;
};

export type Reminder = { kind: 'reminder' | 'escalation'; stepId: StepId; at: string; count: number };

export type UpgradeStatus = {
  tenantId: string;
  workflowId: string;
  phase: Phase;
  currentStep: StepId | null;
  waitingOn: WaitingOn;
  paused: { by: string; reason: string; at: string } | null;
  dryRun: boolean;
  /** null: not chosen yet (the ticket path unless reuseExistingIds comes first). Absent in upgrades started
   * before the re-use path existed: those have the support-ticket path only. */
  connectorPath?: ConnectorPath | null;
  steps: StepStatus[];
  migration: {
    /** byTransferredToAccounting: the seed's filter counted by Transferred To Accounting (null: the field is empty). */
    dryRun?: { found: number; sample: string | null; byTransferredToAccounting?: TransferCount[] };
    result?: {
      updated: number;
      failed: number;
      remaining: number;
      verified: boolean;
      failuresReport: string | null;
      byTransferredToAccounting?: TransferCount[];
      /** The manifest of every memo changed, and its sha256 (absent in upgrades from before the manifest). */
      manifest?: MigrationManifestSummary;
    };
    /** The canary (MIGRATION_CANARY): the first `limit` memos written before the second approval. */
    canary?: {
      limit: number;
      found: number;
      updated: number;
      refused: number;
      failuresReport: string | null;
      manifest: MigrationManifestSummary | null;
    };
    /** Set when migrate.credit-memos was skipped: who, why, what they acknowledged, and the risk it leaves. */
    skipped?: { by: string; reason: string; acknowledged: string | null; risk: string };
    /** Set while the migration child is paused (by an operator or its breaker): the upgrade waits on the operator. */
    paused?: MigrationPauseNotice['paused'] & { migration: string };
  };
  syncs: {
    finalCreditMemoSync?: Record<string, unknown>;
    paymentCatchUpSync?: Record<string, unknown>;
  };
  openReminders: Reminder[];
  audit: AuditEntry[];
  startedAt: string;
  finishedAt: string | null;
  /** The whole audit log (`audit` keeps only the newest entries): its report file, and how many entries are in it. */
  auditLog?: { report: string | null; recorded: number; exported: number };
};

export const statusQuery = defineQuery<UpgradeStatus>('status');
