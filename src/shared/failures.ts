// Every Temporal failure type this worker raises, once. An ApplicationFailure's `type` is what operators see in the
// Web UI and `temporal workflow show`, what retry policies match (nonRetryableErrorTypes) and what tests assert, so
// it is named here and nowhere else. Errors from the API clients keep their class name as the type
// (ZuoraApiError, NetSuiteApiError, …: src/zuora/errors.ts, src/netsuite/errors.ts); they are listed for reference.
export const FailureType = {
  /** A workflow's start input failed its zod schema. */
  InvalidInput: 'InvalidInput',
  /** An operator message (signal or update) was refused by the message rules. */
  InvalidMessage: 'InvalidMessage',
  /** An activity set built for one tenant was handed another tenant's input (a routing slip; never retried). */
  WrongTenant: 'WrongTenant',
  /** The tenant is not in this worker's tenant registry (yet): retried, as another worker or a reload may know it. */
  UnknownTenant: 'UnknownTenant',
  /** Step 1: eligible credit memos remain or failed in the final sync before cutover. */
  CreditMemosNotDrained: 'CreditMemosNotDrained',
  /** Step 5: migrated credit memos are not all Transferred To Accounting = Yes after the passes. */
  MigrationIncomplete: 'MigrationIncomplete',
  /** The payment catch-up sync left payments that failed. */
  PaymentSyncFailed: 'PaymentSyncFailed',
  /** A Zuora Data Query job completed without a result file. */
  DataQueryNoResult: 'DataQueryNoResult',
  /** An activity noticed its cancellation (heartbeat) and stopped between writes. */
  Cancelled: 'Cancelled',
  /** The migration manifest is missing, does not match its sha256, or is not the one the operator confirmed. */
  ManifestInvalid: 'ManifestInvalid',
  /** The Slack/webhook notifier failed. */
  NotifierError: 'NotifierError',
  /** API client errors (their class names). */
  ZuoraApiError: 'ZuoraApiError',
  ZuoraResponseShapeError: 'ZuoraResponseShapeError',
  NetSuiteApiError: 'NetSuiteApiError',
  NetSuiteResponseShapeError: 'NetSuiteResponseShapeError',
  NetSuitePagingError: 'NetSuitePagingError',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
