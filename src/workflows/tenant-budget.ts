// tenantBudget: one per tenant (id tenant-budget-<tenantId>@<taskQueue>), started by the first activity that asks for a lease
// (update-with-start). It leases the tenant's request slots at Zuora and NetSuite to the activities of that tenant,
// whatever worker runs them (issue 15 §2; docs/tenant-budget.md). The rules are in shared/tenant-budget.ts; this file
// only receives the holders' reports, drops expired leases and continues-as-new before its history grows large.
// Holders read their target with a query (no history); only acquire, acknowledge, renew and release are updates.
import { allHandlersFinished, condition, continueAsNew, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import {
  LEASE_TTL_MS,
  emptyBudgetState,
  expire,
  leaseReleaseSchema,
  leaseReleaseUpdate,
  leaseReportSchema,
  leaseReportUpdate,
  leaseTargetQuery,
  leaseWakeSignal,
  release,
  report,
  targetOf,
  tenantBudgetInputSchema,
  tenantBudgetViewQuery,
  type TenantBudgetInput,
} from '../shared/tenant-budget';
import { parseWorkflowInput } from './validation';

/** Expired leases are looked for this often (and at every report). */
const EXPIRY_CHECK_MS = LEASE_TTL_MS / 3;
/** With no holder for this long the workflow ends (nothing is left running with the workers); the next starts anew. */
const IDLE_END_MS = 10_000;
/** A renewal every few seconds per holder: continue-as-new well before Temporal's 10K-event warning. */
const MAX_EVENTS_PER_RUN = 2_000;

export async function tenantBudget(rawInput: TenantBudgetInput): Promise<void> {
  const input = parseWorkflowInput(tenantBudgetInputSchema, rawInput, 'tenantBudget input');
  const state = input.carry ?? emptyBudgetState(input.tenantId, Date.now());

  setHandler(
    leaseReportUpdate,
    (r) => {
      const now = Date.now();
      expire(state, now);
      return { target: report(state, r, now) };
    },
    { validator: (r) => void leaseReportSchema.parse(r) },
  );
  setHandler(leaseReleaseUpdate, (r) => ({ released: release(state, r.holderId, Date.now()) }), {
    validator: (r) => void leaseReleaseSchema.parse(r),
  });
  setHandler(leaseWakeSignal, () => undefined);
  setHandler(leaseTargetQuery, (holderId) => targetOf(state, holderId));
  setHandler(tenantBudgetViewQuery, () => state);

  for (;;) {
    await sleep(EXPIRY_CHECK_MS);
    expire(state, Date.now());
    const idle = () => state.idleSince !== null && Date.now() - state.idleSince >= IDLE_END_MS;
    if (idle()) {
      await condition(allHandlersFinished);
      if (idle()) return; // a report that came meanwhile keeps it running
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_EVENTS_PER_RUN) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof tenantBudget>({ tenantId: input.tenantId, carry: state });
    }
  }
}
