// The tenant budget (issue 15 §2): one workflow per tenant leases the tenant's request slots at Zuora (and NetSuite)
// to the activities that make many requests, whatever worker process runs them, so that together they stay within
// the tenant's budget (docs/tenant-budget.md). The rules are here, in plain code the workflow (determinism) and the
// unit tests share; free of I/O.
//
// Two-phase: a holder's `target` is what the workflow wants it to use; its `ceiling` is the most it may be using —
// the highest of its last acknowledged cap and every target issued since. Lowering a target frees nothing until
// the holder acknowledges the lower cap (its in-flight requests already ≤ it); only slots no ceiling covers are
// granted. Invariant: for each resource, the sum of the ceilings ≤ the budget. A holder acknowledges (reports) one
// change at a time and reads its target only after the workflow answered, so what it applies is always covered by
// its ceiling (proof sketch in docs/tenant-budget.md §2).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';

export const TENANT_RESOURCES = ['zuora', 'netsuite'] as const;
export type TenantResource = (typeof TENANT_RESOURCES)[number];

/** A lease not renewed for this long is dropped (its worker died): its slots go to the others. */
export const LEASE_TTL_MS = 30_000;
/** The largest budget or want anybody may state (sanity bound of the boundary). */
export const MAX_SLOTS = 1_000;

/**
 * One budget per tenant and task queue: the workflow runs on the queue of the workers that lease from it, so it lives
 * as long as they do. Every worker serving a tenant polls that tenant's one queue (issue 15 §1), so this is the
 * tenant's budget; tests that run many workers of one tenant on separate queues get separate budgets.
 */
export const tenantBudgetWorkflowId = (tenantId: string, taskQueue: string) => `tenant-budget-${tenantId}@${taskQueue}`;

const slots = (what: string) =>
  z
    .number({ message: `${what} is required (a whole number)` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must be ≥ 0`)
    .max(MAX_SLOTS, `${what} must be ≤ ${MAX_SLOTS}`);

/** A holder's write: acquire, acknowledge, renew, change of want — all the same idempotent report. */
export const leaseReportSchema = z.object({
  /** workflowId/activityId/attempt of the activity attempt that holds the lease. */
  holderId: z.string().min(1, 'holderId must not be empty').max(300, 'holderId must be ≤ 300 characters'),
  resource: z.enum(TENANT_RESOURCES, { message: `resource must be one of ${TENANT_RESOURCES.join(', ')}` }),
  /** Slots the holder can use (never more than it can keep busy). */
  want: slots('want'),
  /** The budget of the worker that reports (its setting is the source: one setting per fact). */
  budget: slots('budget').min(1, 'budget must be ≥ 1'),
  /** The cap the holder has applied to its gate, its in-flight requests already within it: the acknowledgement. */
  applied: slots('applied'),
});
export type LeaseReport = z.infer<typeof leaseReportSchema>;

export const leaseReleaseSchema = leaseReportSchema.pick({ holderId: true });
export type LeaseRelease = z.infer<typeof leaseReleaseSchema>;

export type Holder = {
  resource: TenantResource;
  want: number;
  budget: number;
  /** What the workflow wants this holder to use. */
  target: number;
  /** The last cap the holder acknowledged. */
  acked: number;
  /** The most this holder may be using: max(acked, every target issued since that acknowledgement). */
  ceiling: number;
  /** Workflow time of the last report. */
  renewedAt: number;
  /** Arrival order (ties of the fair share go to the older holder). */
  arrival: number;
};

export type BudgetState = {
  tenantId: string;
  holders: Record<string, Holder>;
  arrivals: number;
  /** Workflow time since which no holder is left (null while some hold a lease). */
  idleSince: number | null;
};

export const emptyBudgetState = (tenantId: string, now: number): BudgetState => ({
  tenantId,
  holders: {},
  arrivals: 0,
  idleSince: now,
});

const holdersOf = (state: BudgetState, resource: TenantResource) =>
  Object.entries(state.holders)
    .filter(([, h]) => h.resource === resource)
    .sort(([, a], [, b]) => a.arrival - b.arrival);

/** The budget of a resource: the smallest any live holder's worker states (a fleet mid-rollout stays safe). */
export function budgetOf(state: BudgetState, resource: TenantResource): number {
  const budgets = holdersOf(state, resource).map(([, h]) => h.budget);
  return budgets.length === 0 ? 0 : Math.min(...budgets);
}

/** Max-min fair shares of `budget` among `wants` (in arrival order): nobody gets more than it wants. */
export function fairShares(wants: readonly number[], budget: number): number[] {
  const alloc = wants.map(() => 0);
  let remaining = budget;
  let active = wants.map((_, i) => i).filter((i) => wants[i]! > 0);
  while (active.length > 0 && remaining > 0) {
    const share = Math.floor(remaining / active.length);
    if (share === 0) {
      // Fewer slots than holders still wanting: one each, oldest first.
      for (const i of active) {
        if (remaining === 0) break;
        alloc[i]!++;
        remaining--;
      }
      break;
    }
    for (const i of active) {
      const g = Math.min(share, wants[i]! - alloc[i]!);
      alloc[i]! += g;
      remaining -= g;
    }
    active = active.filter((i) => alloc[i]! < wants[i]!);
  }
  return alloc;
}

/**
 * Moves the targets of `resource` toward the fair shares: lowers at once (frees nothing yet), raises only into
 * slots no ceiling covers.
 */
export function rebalance(state: BudgetState, resource: TenantResource): void {
  const holders = holdersOf(state, resource).map(([, h]) => h);
  if (holders.length === 0) return;
  const budget = budgetOf(state, resource);
  const desired = fairShares(
    holders.map((h) => h.want),
    budget,
  );
  holders.forEach((h, i) => {
    if (desired[i]! < h.target) h.target = desired[i]!;
  });
  let free = budget - holders.reduce((n, h) => n + h.ceiling, 0);
  holders.forEach((h, i) => {
    if (desired[i]! <= h.target || free <= 0) return;
    const raised = Math.min(desired[i]!, h.ceiling + free);
    if (raised <= h.target) return;
    free -= Math.max(0, raised - h.ceiling);
    h.ceiling = Math.max(h.ceiling, raised);
    h.target = raised;
  });
}

/** A holder reports (acquire, acknowledge, renew, new want): returns its target. */
export function report(state: BudgetState, r: LeaseReport, now: number): number {
  const known = state.holders[r.holderId];
  const h: Holder = known ?? {
    resource: r.resource,
    want: 0,
    budget: r.budget,
    target: 0,
    acked: 0,
    ceiling: 0,
    renewedAt: now,
    arrival: state.arrivals++,
  };
  h.want = r.want;
  h.budget = r.budget;
  h.acked = r.applied;
  // The holder applies only targets it read (all covered by the ceiling before this report), one change at a time.
  h.ceiling = Math.max(r.applied, h.target);
  h.renewedAt = now;
  state.holders[r.holderId] = h;
  state.idleSince = null;
  rebalance(state, h.resource);
  return h.target;
}

/** The holder's work ended (its requests finished): its slots go to the others. */
export function release(state: BudgetState, holderId: string, now: number): boolean {
  const h = state.holders[holderId];
  if (!h) return false;
  delete state.holders[holderId];
  afterRemoval(state, [h.resource], now);
  return true;
}

/** Drops the leases not renewed within LEASE_TTL_MS; returns their holder ids. */
export function expire(state: BudgetState, now: number): string[] {
  const gone = Object.entries(state.holders).filter(([, h]) => now - h.renewedAt > LEASE_TTL_MS);
  for (const [id] of gone) delete state.holders[id];
  afterRemoval(
    state,
    gone.map(([, h]) => h.resource),
    now,
  );
  return gone.map(([id]) => id);
}

function afterRemoval(state: BudgetState, resources: TenantResource[], now: number): void {
  for (const resource of new Set(resources)) rebalance(state, resource);
  if (Object.keys(state.holders).length === 0) state.idleSince ??= now;
}

/** What a holder reads every half second: its target, or null when the workflow does not know it (expired). */
export function targetOf(state: BudgetState, holderId: string): number | null {
  return state.holders[holderId]?.target ?? null;
}

/** Sum of the ceilings of `resource`: what may be in flight at most. Never above the budget (the invariant). */
export function committedOf(state: BudgetState, resource: TenantResource): number {
  return holdersOf(state, resource).reduce((n, [, h]) => n + h.ceiling, 0);
}

// ---- the workflow's messages ----

export const tenantBudgetInputSchema = z.object({
  tenantId: z.string().min(1).max(63),
  /** State carried across continue-as-new. */
  carry: z.custom<BudgetState>((v) => typeof v === 'object' && v !== null).optional(),
});
export type TenantBudgetInput = z.infer<typeof tenantBudgetInputSchema>;

export const leaseReportUpdate = defineUpdate<{ target: number }, [LeaseReport]>('leaseReport');
export const leaseReleaseUpdate = defineUpdate<{ released: boolean }, [LeaseRelease]>('leaseRelease');
/** Sent by signal-with-start to start the workflow where update-with-start is not available (holders try that
 * first); does nothing itself. */
export const leaseWakeSignal = defineSignal('leaseWake');
export const leaseTargetQuery = defineQuery<number | null, [string]>('leaseTarget');
/** For operators and tests: every holder and the budget per resource. */
export const tenantBudgetViewQuery = defineQuery<BudgetState>('tenantBudget');

/** The workflow type, by name: activities start it with signal-with-start and may not import workflow code. */
export const TENANT_BUDGET_WORKFLOW_TYPE = 'tenantBudget';
