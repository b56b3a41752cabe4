// The readiness preflight's activity (docs/zuora.md §10): runs every row of Zuora's checklist as a query and writes
// every offender to a report in the report store; the workflow gets the counts and the first offenders per row.
import { activityInfo } from '@temporalio/activity';
import type { ReportStore } from '../reports/report-store';
import { summarizeOffenders, type ReadinessFindings } from '../shared/readiness';
import type { ZuoraClient } from '../zuora/client';
import { findReadinessOffenders } from '../zuora/readiness';
import { assertTenant, heartbeatingAll, trackIdOf, withActivityFailures, workflowIdOf } from './common';

export type ReadinessDeps = { zuora: ZuoraClient; reports: ReportStore; tenantId: string };

export function createReadinessActivities({ zuora, reports, tenantId }: ReadinessDeps) {
  return heartbeatingAll({
    /** `run` names the report (one per run of the checklist: a re-run writes a new one, a retried activity the same). */
    async runReadinessChecklist(input: { tenantId: string; run: string }): Promise<ReadinessFindings> {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      return withActivityFailures(async () => {
        const offenders = await findReadinessOffenders(zuora.withTrackId(trackIdOf(info)));
        const report = reports.pathFor(
          workflowIdOf(info),
          `readiness-${input.run.replace(/[^A-Za-z0-9-]/g, '_')}.jsonl`,
        );
        reports.writeJsonLines(report, offenders);
        return { report, ranAt: new Date().toISOString(), rows: summarizeOffenders(offenders) };
      });
    },
  });
}

export type ReadinessActivities = ReturnType<typeof createReadinessActivities>;
