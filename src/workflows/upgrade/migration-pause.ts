// The upgrade learns from its migration child when the child's pause (an operator's, or its breaker's) takes effect
// and ends (migrationPauseNotice, sent by migrate-credit-memos.ts under MIGRATION_TELLS_UPGRADE_WHEN_PAUSED): while it
// holds, the upgrade waits on the operator (state.ts waitingOn), which the status, the Web UI and the IsWaitingOn
// search attribute (`is-upgrade list --waiting-on operator`) show. A signal rather than a query of the child: a
// workflow cannot query another, and polling through an activity would cost events the whole time the child runs.
import { log, setHandler } from '@temporalio/workflow';
import { migrationPauseNoticeSchema, migrationPauseNoticeSignal } from '../../shared/migration-control';
import type { Upgrade } from './context';
import { currentStep } from './state';

const MIGRATION_STEP = 'migrate.credit-memos';

export function registerMigrationPauseNotice(up: Upgrade): void {
  setHandler(
    migrationPauseNoticeSignal,
    (raw: unknown) => {
      const parsed = migrationPauseNoticeSchema.safeParse(raw);
      // Only a child of this upgrade's migration step sends it: anything else is dropped (and logged, not audited:
      // a stray sender must not fill the audit log).
      const ours = parsed.success && parsed.data.migration.startsWith(`${up.workflowId}-credit-memos`);
      if (!parsed.success || !ours || currentStep(up.state)?.id !== MIGRATION_STEP) {
        log.warn('migrationPauseNotice ignored', { valid: parsed.success, step: currentStep(up.state)?.id ?? null });
        return;
      }
      const { migration, paused } = parsed.data;
      const was = up.state.migration.paused;
      if (paused ? was?.at === paused.at && was.migration === migration : !was) return; // told again: nothing new
      if (paused) up.state.migration.paused = { ...paused, migration };
      else delete up.state.migration.paused;
      up.audit({
        message: 'system',
        stepId: MIGRATION_STEP,
        outcome: 'info',
        by: paused?.by,
        detail: paused
          ? `migration ${migration} paused by ${paused.source === 'breaker' ? 'its breaker' : paused.by}: ` +
            `${paused.reason || '(no reason given)'} — resume it with is-upgrade resume-migration`
          : `migration ${migration} goes on again`,
      });
      up.publish();
    },
    { description: 'Sent by the credit memo migration child when its pause takes effect and when it ends.' },
  );
}
