// One worker serves every tenant of its registry on one task queue (README "Running for many tenants"): each
// activity call takes the clients of the tenant its input names, so no activity can land on a "wrong" worker. A
// tenant this worker does not know (a registry change rolling out across the fleet) is a retryable failure: another
// worker, or this one after its reload, takes the retry.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../shared/failures';
import type { NetSuiteClient } from '../netsuite/client';
import type { ZuoraClient } from '../zuora/client';
import { createActivities, type ActivityDeps, type Activities } from './index';

export type TenantClients = { readonly zuora: ZuoraClient; readonly netsuite: NetSuiteClient };

/** What the routing needs of the tenant registry (src/tenants/registry.ts). */
export type TenantDirectory = {
  /** The tenant's clients (the same object while its settings stay the same); undefined: not in the registry. */
  get(tenantId: string): TenantClients | undefined;
  /** Where the registry comes from, as the operator set it (TENANT_REGISTRY=…). */
  readonly source: string;
};

export type RoutedActivityDeps = Omit<ActivityDeps, 'zuora' | 'netsuite' | 'tenantId'> & { tenants: TenantDirectory };

/**
 * The activities of createActivities, each resolving `input.tenantId` (every activity's input names its tenant)
 * to that tenant's activities, built once per tenant clients and kept with them.
 */
export function createTenantRoutedActivities(deps: RoutedActivityDeps): Activities {
  const { tenants, ...shared } = deps;
  const perTenant = new WeakMap<TenantClients, Activities>();
  const activitiesOf = (tenantId: string): Activities => {
    const clients = tenants.get(tenantId);
    if (!clients) throw unknownTenant(tenantId, tenants.source);
    let set = perTenant.get(clients);
    if (!set) {
      set = createActivities({ ...shared, ...clients, tenantId });
      perTenant.set(clients, set);
    }
    return set;
  };
  return Object.fromEntries(
    ACTIVITY_NAMES.map((name) => [
      name,
      async (input: unknown, ...rest: unknown[]) => {
        const run = activitiesOf(tenantIdOf(name, input))[name] as (...args: unknown[]) => Promise<unknown>;
        return await run(input, ...rest);
      },
    ]),
  ) as Activities;
}

/**
 * The activity names: createActivities' factories only keep their deps (nothing is called while they build), so a
 * set built over no clients lists them (test/tenants/routing.unit.test.ts checks that each one routes).
 */
const ACTIVITY_NAMES = Object.keys(
  createActivities({ tenantId: '' } as unknown as ActivityDeps),
) as (keyof Activities)[];

function tenantIdOf(activity: string, input: unknown): string {
  const id = (input as { tenantId?: unknown } | null)?.tenantId;
  if (typeof id === 'string' && id.length > 0) return id;
  throw ApplicationFailure.nonRetryable(
    `${activity}: its input names no tenant (tenantId), so no tenant's clients can run it`,
    FailureType.InvalidInput,
  );
}

export function unknownTenant(tenantId: string, source: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `Tenant "${tenantId}" is not in this worker's tenant registry (${source}): add it there (README "Running for ` +
      'many tenants"); retrying, as another worker of the fleet or this one after a reload may know it',
    FailureType.UnknownTenant,
  );
}
