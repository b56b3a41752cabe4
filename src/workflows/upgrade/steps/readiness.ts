// The readiness preflight (docs/product.md; docs/zuora.md §10), before the enablement request: Zuora's "Validate
// transactions" checklist runs as queries; the step waits until every row is clean or acknowledged by name with a
// reason (acknowledgeReadiness). retryStep runs the queries again (the offenders were fixed meanwhile).
import { proxyActivities } from '@temporalio/workflow';
import type { ReadinessActivities } from '../../../activities/readiness';
import type { StepBody } from '../context';
import { describeOpenRows, openRows, recordFindings } from '../readiness';

const readiness = proxyActivities<ReadinessActivities>({
  // Ten rows of queries, each paged: minutes on a large tenant. Heartbeats every 5 s (heartbeatingAll).
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 8 },
});

export const readinessPreflight: StepBody = (up, s) =>
  up.run.automatic(s, async () => {
    const { inbox } = up.state;
    for (let round = 1; ; round++) {
      const found = await readiness.runReadinessChecklist({
        tenantId: up.input.tenantId,
        run: `${s.attempts}-${round}`,
      });
      recordFindings(s, found);
      if (openRows(s).length === 0) return;
      const answered = () => inbox.retries[s.id] !== undefined || openRows(s).length === 0;
      if (!(await up.run.ask(s, describeOpenRows(s), answered))) return;
      const rerun = inbox.retries[s.id] !== undefined;
      delete inbox.retries[s.id];
      up.run.resume(s);
      if (!rerun) return; // every row acknowledged
    }
  });
