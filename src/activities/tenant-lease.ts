// The activity side of the tenant budget (shared/tenant-budget.ts, docs/tenant-budget.md): a lease holder per
// activity attempt and resource. It reads its target with a query every LEASE_POLL_MS (like the migration's control,
// ./migration-control.ts), applies it to its own LeaseGate (in front of the process-wide gate of the tenant), and
// writes only on change — acquire, acknowledge (once its in-flight requests are within a lowered cap), release — plus
// a renewal every RENEW_MS. Fail safe: a holder that could not report for SAFE_MS drops to 0 slots (the workflow
// drops its lease after LEASE_TTL_MS and may grant the slots to others), never to more than it last acknowledged.
import { AsyncLocalStorage } from 'node:async_hooks';
import { activityInfo, log } from '@temporalio/activity';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { LeaseGate, withLeaseGates } from '../http/lease-gate';
import {
  LEASE_TTL_MS,
  TENANT_BUDGET_WORKFLOW_TYPE,
  leaseReleaseUpdate,
  leaseReportUpdate,
  leaseTargetQuery,
  leaseWakeSignal,
  tenantBudgetWorkflowId,
  type LeaseReport,
  type TenantResource,
} from '../shared/tenant-budget';

/** How often a holder reads its target: a newcomer waits about this long (plus a request) for the others to give up its
 * share; each sync chunk is a newcomer, so this is kept short (a query costs no history). */
export const LEASE_POLL_MS = 500;
/** A holder with no slot yet (a newcomer the others make room for) reads this often: its work is stalled until then,
 * and few holders are ever in that state at once. */
export const LEASE_WAITING_POLL_MS = 100;
/** A renewal this often keeps the lease (TTL 30 s) through a few lost writes. */
export const LEASE_RENEW_MS = 5_000;
/** Without a successful report for this long the holder stops sending: before the workflow may drop its lease. */
export const LEASE_SAFE_MS = LEASE_TTL_MS / 2;

/** What the tenant budget covers of one resource: the process-wide gate of that tenant and the worker's budget. */
export type LeasedResource = { gate: object; budget: number };
/** The resources of a tenant (today's single-tenant config, or the tenant registry's entry); undefined: not ours. */
export type LeasedResources = (tenantId: string) => Record<TenantResource, LeasedResource> | undefined;

export type TenantLeases = {
  /**
   * Runs `work` holding a lease of each resource in `wants` (slots it can use) under `holderId`
   * (workflowId/activityId/attempt): every request of `work` through that resource's process gate first passes the
   * lease's gate.
   */
  hold<T>(
    o: { tenantId: string; holderId: string; wants: Partial<Record<TenantResource, number>> },
    work: (holders: Partial<Record<TenantResource, LeaseHolder>>) => Promise<T>,
  ): Promise<T>;
};

/** Leases off (TENANT_LEASES=off): the process-wide gates alone, as before issue 15. */
export const noTenantLeases: TenantLeases = { hold: (_o, work) => work({}) };

export function createTenantLeases(o: {
  temporal: Client;
  /** Where the tenant budget workflow runs (a queue the tenant's workers poll). */
  taskQueue: string;
  resources: LeasedResources;
  pollMs?: number;
}): TenantLeases {
  return {
    async hold({ tenantId, holderId, wants }, work) {
      const resources = o.resources(tenantId);
      if (!resources) return work({}); // not this worker's tenant: the activity's own tenant check refuses it
      const holders: Partial<Record<TenantResource, LeaseHolder>> = {};
      const gates = new Map<object, LeaseGate>();
      for (const [resource, want] of Object.entries(wants) as [TenantResource, number][]) {
        const r = resources[resource];
        const holder = new LeaseHolder({
          temporal: o.temporal,
          taskQueue: o.taskQueue,
          tenantId,
          holderId: `${holderId}#${resource}`,
          resource,
          budget: r.budget,
          want: Math.min(want, r.budget),
          pollMs: o.pollMs,
        });
        holders[resource] = holder;
        gates.set(r.gate, holder.gate);
      }
      const all = Object.values(holders);
      for (const h of all) h.start();
      try {
        return await withLeaseGates(gates, () => currentHolders.run(holders, () => work(holders)));
      } finally {
        await Promise.all(all.map((h) => h.release()));
      }
    },
  };
}

type HolderOptions = {
  temporal: Client;
  taskQueue: string;
  tenantId: string;
  holderId: string;
  resource: TenantResource;
  budget: number;
  want: number;
  pollMs?: number;
  now?: () => number;
};

export class LeaseHolder {
  readonly gate = new LeaseGate();
  private applied = 0;
  private want: number;
  private reportDue = true;
  private lastReportOk = Number.NEGATIVE_INFINITY;
  private target: number | null = null;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private failures = 0;
  /** The first report (acquire) went through: later ones update the running workflow. */
  private acquired = false;
  private readonly now: () => number;

  constructor(private readonly o: HolderOptions) {
    this.want = o.want;
    this.now = o.now ?? Date.now;
  }

  /** The cap in force now (what the holder last applied). */
  get cap(): number {
    return this.applied;
  }

  /** The activity can use a different number of slots (the migration's setConcurrency): reported at once. */
  setWant(want: number): void {
    const w = Math.max(0, Math.min(want, this.o.budget));
    if (w === this.want) return;
    this.want = w;
    this.reportDue = true;
    this.wake?.();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading and gives the slots back (the work's requests have finished). Best effort: expiry covers a miss. */
  async release(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.gate.setCap(0);
    try {
      await this.handle().executeUpdate(leaseReleaseUpdate, { args: [{ holderId: this.o.holderId }] });
    } catch (err) {
      log.warn('could not release a tenant budget lease; it expires by itself', {
        holderId: this.o.holderId,
        error: String(err),
      });
    }
  }

  private handle() {
    return this.o.temporal.workflow.getHandle(tenantBudgetWorkflowId(this.o.tenantId, this.o.taskQueue));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
        this.failures = 0;
      } catch (err) {
        if (this.failures++ % 30 === 0) {
          log.warn('could not reach the tenant budget', { holderId: this.o.holderId, error: String(err) });
        }
        if (this.now() - this.lastReportOk > LEASE_SAFE_MS) await this.applyCap(0);
      }
      if (this.stopped) break;
      if (!this.reportDue) await this.pause();
    }
  }

  private async step(): Promise<void> {
    if (this.reportDue || this.now() - this.lastReportOk >= LEASE_RENEW_MS) {
      this.target = await this.report();
    } else {
      const target = await this.handle().query(leaseTargetQuery, this.o.holderId);
      if (target === null) {
        // The workflow does not know us (our lease expired): nothing of ours may be in flight before we ask again.
        this.target = null;
        await this.applyCap(0);
        this.reportDue = true;
        return;
      }
      this.target = target;
    }
    if (this.target !== null && this.target !== this.applied) {
      await this.applyCap(this.target);
      this.reportDue = true; // the acknowledgement
    }
  }

  /** Applies `cap`; a lower cap counts only once the requests in flight are within it (renewing meanwhile). */
  private async applyCap(cap: number): Promise<void> {
    this.gate.setCap(cap);
    if (cap < this.applied) {
      const drained = this.gate.inFlightAtMost(cap).then(() => true);
      for (;;) {
        // The renewal timer is cleared once the requests drained: a left-over 5 s timer per lowered cap kept a
        // finished process (a test run) alive.
        let timer: NodeJS.Timeout | undefined;
        const renewDue = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), LEASE_RENEW_MS);
        });
        const done = await Promise.race([drained, renewDue]);
        clearTimeout(timer);
        if (done) break;
        if (this.now() - this.lastReportOk < LEASE_SAFE_MS) await this.report().catch(() => undefined);
      }
    }
    this.applied = cap;
  }

  private async report(): Promise<number> {
    const r: LeaseReport = {
      holderId: this.o.holderId,
      resource: this.o.resource,
      want: this.stopped ? 0 : this.want,
      budget: this.o.budget,
      applied: this.applied,
    };
    const sentAt = this.now();
    let answer: { target: number };
    if (this.acquired) {
      try {
        answer = await this.handle().executeUpdate(leaseReportUpdate, { args: [r] });
      } catch (err) {
        // Not running (it ended idle, or was terminated): start it and ask in one call.
        log.debug('starting the tenant budget workflow again', { error: String(err) });
        answer = await this.reportWithStart(r);
      }
    } else {
      // The acquire: one call that starts the workflow if it is not running (the first holder) and asks — no failed
      // update and separate signal-with-start first (i15-fleet: a first holder waited ~0.8 s for its slots).
      answer = await this.reportWithStart(r);
      this.acquired = true;
    }
    this.lastReportOk = sentAt;
    this.reportDue = false;
    return answer.target;
  }

  private async reportWithStart(r: LeaseReport): Promise<{ target: number }> {
    const workflowId = tenantBudgetWorkflowId(this.o.tenantId, this.o.taskQueue);
    const start = { workflowId, taskQueue: this.o.taskQueue, args: [{ tenantId: this.o.tenantId }] };
    try {
      return await this.o.temporal.workflow.executeUpdateWithStart(leaseReportUpdate, {
        args: [r],
        startWorkflowOperation: new WithStartWorkflowOperation(TENANT_BUDGET_WORKFLOW_TYPE, {
          ...start,
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      });
    } catch (err) {
      // A server that refuses update-with-start (older servers with frontend.enableExecuteMultiOperation off; the
      // 1.32 server has no such switch) must not leave us at 0 slots: signal-with-start (a no-op if it runs), ask.
      // test/tenant-budget/lease-fallback.test.ts.
      log.debug('update-with-start failed; signal-with-start, then update', { error: String(err) });
      await this.o.temporal.workflow.signalWithStart(TENANT_BUDGET_WORKFLOW_TYPE, {
        ...start,
        signal: leaseWakeSignal,
        signalArgs: [],
      });
      return this.handle().executeUpdate(leaseReportUpdate, { args: [r] });
    }
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const poll = this.o.pollMs ?? LEASE_POLL_MS;
      const waiting = this.applied === 0 && this.want > 0;
      const timer = setTimeout(done, waiting ? Math.min(poll, LEASE_WAITING_POLL_MS) : poll);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

const currentHolders = new AsyncLocalStorage<Partial<Record<TenantResource, LeaseHolder>>>();

/** The lease of `resource` the current activity holds, if any (to tell it a new want). */
export function currentLease(resource: TenantResource): LeaseHolder | undefined {
  return currentHolders.getStore()?.[resource];
}

/** workflowId/activityId/attempt: one holder per activity attempt. */
export function holderIdOfCurrentActivity(): string {
  const info = activityInfo();
  return `${info.workflowExecution?.workflowId ?? 'standalone-activity'}/${info.activityId}/${info.attempt}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ActivityFn = (input: any, ...rest: any[]) => Promise<unknown>;

/**
 * `activities` with those named in `wants` run under a lease of the tenant budget (their input's tenantId): the
 * activities' code stays as it is, and the wrapping is one line where they are created.
 */
export function leasedActivities<A extends Record<string, ActivityFn>>(
  activities: A,
  leases: TenantLeases | undefined,
  wants: { [K in keyof A]?: (input: Parameters<A[K]>[0]) => Partial<Record<TenantResource, number>> },
): A {
  if (!leases) return activities;
  const wrapped: Record<string, ActivityFn> = { ...activities };
  for (const [name, wantsOf] of Object.entries(wants)) {
    const fn = activities[name]!;
    const of = wantsOf as (input: unknown) => Partial<Record<TenantResource, number>>;
    wrapped[name] = (input: { tenantId: string }, ...rest: unknown[]) =>
      leases.hold({ tenantId: input.tenantId, holderId: holderIdOfCurrentActivity(), wants: of(input) }, () =>
        fn(input, ...rest),
      );
  }
  return wrapped as A;
}
