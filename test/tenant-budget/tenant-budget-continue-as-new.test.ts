// The tenant budget workflow continues-as-new after 2,000 events (src/workflows/tenant-budget.ts): its leases, with a
// lowered target not yet acknowledged (the two-phase state, docs/tenant-budget.md §2), must come through unchanged —
// a new run that forgot a ceiling would grant slots still in use. Real server, the workflow on the suite's worker;
// the holders are this test, reporting as the activities do.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TENANT_BUDGET_WORKFLOW_TYPE,
  committedOf,
  leaseReleaseUpdate,
  leaseReportUpdate,
  leaseTargetQuery,
  tenantBudgetViewQuery,
  tenantBudgetWorkflowId,
} from '../../src/shared/tenant-budget';
import { recordHistory } from '../helpers/histories';
import { useWorkflowSuite } from '../helpers/suite';

const suite = useWorkflowSuite({ queue: 'budget-continue' });
const BUDGET = 8;

it('carries every lease across continue-as-new, a lowered target still unacknowledged included', async () => {
  const { env, taskQueue } = suite;
  const workflowId = tenantBudgetWorkflowId('demo', taskQueue);
  const first = await env.client.workflow.start(TENANT_BUDGET_WORKFLOW_TYPE, {
    taskQueue,
    workflowId,
    args: [{ tenantId: 'demo' }],
  });
  const latest = () => env.client.workflow.getHandle(workflowId);
  const report = async (holderId: string, want: number, applied: number) =>
    (
      await latest().executeUpdate(leaseReportUpdate, {
        args: [{ holderId, resource: 'zuora', want, budget: BUDGET, applied }],
      })
    ).target;

  // a takes 5 of 8; b arrives wanting 5: the fair share is 4 each, but a has not acknowledged 4 yet (ceiling 5), so
  // b gets the 3 no ceiling covers.
  expect(await report('a', 5, 0)).toBe(5);
  expect(await report('a', 5, 5)).toBe(5);
  expect(await report('b', 5, 0)).toBe(3);

  // Renewals, a still at 5 and b at 3, until the run has more than 2,000 events; then it continues as new.
  while ((await first.describe()).historyLength <= 2_000) {
    for (let i = 0; i < 20; i++) {
      expect(await report('a', 5, 5)).toBe(4);
      expect(await report('b', 5, 3)).toBe(3);
    }
  }
  while ((await latest().describe()).runId === first.firstExecutionRunId) await sleep(200);
  const second = await latest().describe();

  const view = await latest().query(tenantBudgetViewQuery);
  expect(view.holders.a).toMatchObject({ target: 4, acked: 5, ceiling: 5, want: 5 });
  expect(view.holders.b).toMatchObject({ target: 3, acked: 3, ceiling: 3, want: 5 });
  expect(committedOf(view, 'zuora')).toBeLessThanOrEqual(BUDGET);

  // In the new run: b gets its fair 4 only once a acknowledges its lower cap.
  expect(await report('b', 5, 3)).toBe(3);
  expect(await report('a', 5, 4)).toBe(4);
  expect(await latest().query(leaseTargetQuery, 'b')).toBe(4);
  expect(await latest().executeUpdate(leaseReleaseUpdate, { args: [{ holderId: 'a' }] })).toEqual({ released: true });
  expect(await latest().executeUpdate(leaseReleaseUpdate, { args: [{ holderId: 'b' }] })).toEqual({ released: true });
  expect((await latest().query(tenantBudgetViewQuery)).holders).toEqual({});

  await latest().terminate('test over');
  await recordHistory({ workflowId }, 'tenant-budget-after-continue-as-new', second.runId);
});
