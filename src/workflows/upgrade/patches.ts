// patched() ids of the upgrade: each names a change to what the workflow does that running upgrades must not see
// mid-flight (their recorded histories in test/fixtures/histories replay the old way). Never rename one.

/** Pause the credit memo schedule and let its running sync finish *before* the final run (older: after it). */
export const PAUSE_SCHEDULE_BEFORE_FINAL_SYNC = 'pause-credit-memo-schedule-before-final-sync';

/** Messages are bounded, refuse control characters and secret-shaped data, and a step that has not come yet cannot
 * be skipped (issue 16). Decided once at start: update validators cannot call patched(). */
export const STRICT_MESSAGES = 'strict-messages-and-no-skip-of-future-step';

/**
 * The final credit memo sync asks the operator instead of passing silently: which syncs the tenant had enabled when
 * its schedule is missing or unreadable, and what to do about memos not fully applied (they can never sync after
 * Invoice Settlement). Upgrades started before this change ran with both syncs off and only counted those memos.
 */
export const FINAL_SYNC_ASKS_OPERATOR = 'final-credit-memo-sync-asks-operator';

/** A skip of migrate.credit-memos must acknowledge MIGRATION_SKIP_RISK (older runs accepted any skip). */
export const MIGRATION_SKIP_NEEDS_ACKNOWLEDGEMENT = 'migration-skip-needs-acknowledgement';

/** Upgrades started before it keep their 14 steps (no credentials step, no re-use path): ./connector-path.ts. */
export const CONNECTOR_PATHS_PATCH = 'connector-paths-and-credentials-step';

/** The whole audit log is exported to the report store (exportAuditLog activity) before continue-as-new, at the end
 * and when the unexported backlog grows; the carry is bounded (./audit-export.ts). Older runs keep only the newest. */
export const AUDIT_LOG_EXPORT = 'audit-log-exported-and-carry-bounded';

/** An early completeStep kept for its step, sent again with different data, replaces the kept one (recorded in the
 * audit log); older runs answered `duplicate` and dropped it. Decided once at start, like STRICT_MESSAGES. */
export const KEPT_MESSAGE_REPLACED = 'kept-message-replaced-by-different-data';
