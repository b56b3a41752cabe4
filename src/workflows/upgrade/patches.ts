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

/** The readiness preflight step before the enablement request (issue 14 point 1); older upgrades have no such step. */
export const READINESS_PREFLIGHT_STEP = 'readiness-preflight-before-enablement';

/** The sync runs call the health check (start, long run, end, failure) that tells operators of failed, partial,
 * skipped and stale syncs (docs/web-ui.md §4). Runs recorded before it replay without it. */
export const SYNC_HEALTH_CHECKS = 'sync-health-checks';

/** The migration consolidates its manifest of changed memos (with sha256) when it finishes (issue 14 point 3). */
export const MIGRATION_MANIFEST = 'migration-writes-manifest';

/** After the approval, a canary of N memos, its result shown, and a second approval releases the rest (issue 14). */
export const MIGRATION_CANARY = 'migration-canary-and-second-approval';

/** The whole audit log is exported to the report store (exportAuditLog activity) before continue-as-new, at the end
 * and when the unexported backlog grows; the carry is bounded (./audit-export.ts). Older runs keep only the newest. */
export const AUDIT_LOG_EXPORT = 'audit-log-exported-and-carry-bounded';

/** An early completeStep kept for its step, sent again with different data, replaces the kept one (recorded in the
 * audit log); older runs answered `duplicate` and dropped it. Decided once at start, like STRICT_MESSAGES. */
export const KEPT_MESSAGE_REPLACED = 'kept-message-replaced-by-different-data';

/** Continue-as-new under a flood of signals (issue 15 point 5): the audit entries not yet exported go along in the
 * carry (exported first only past AUDIT_EXPORT.carriedBytes), an export takes only what waits when it starts, the
 * continue-as-new comes before an export that is due, and already at CONTINUE_AS_NEW_EVENTS events. Older runs
 * exported until nothing waited, which a flood never allowed. */
export const CONTINUE_AS_NEW_UNDER_FLOOD = 'continue-as-new-under-signal-flood';

/** The migration child signals its upgrade (migrationPauseNotice) when a pause takes effect and when it goes on, so
 * the upgrade says "waiting on operator" meanwhile. Children recorded before it send nothing. */
export const MIGRATION_TELLS_UPGRADE_WHEN_PAUSED = 'migration-tells-upgrade-when-paused';

/** A migration that fails consolidates the manifest of what it wrote before failing (issue 14 §3: the revert needs
 * it). Runs recorded before it fail without the activity. */
export const MIGRATION_MANIFEST_ON_FAILURE = 'migration-manifest-on-failure';

/** The migration consolidates its manifest while the verification query runs (nothing is written meanwhile), and
 * uses it when that query finds nothing left; a new pass consolidates again at its end. Runs recorded before it
 * consolidate after the verification. */
export const MIGRATION_MANIFEST_WITH_VERIFICATION = 'migration-manifest-with-verification';
