// Routing activities by tenant (src/activities/tenant-routing.ts): every activity takes its tenant from its input, and
// a tenant this worker's registry lacks is a retryable failure that names the tenant and the registry.
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { createTenantRoutedActivities } from '../../src/activities/tenant-routing';
import type { Notifier } from '../../src/notifier/notifier';
import type { ReportStore } from '../../src/reports/report-store';
import { FailureType } from '../../src/shared/failures';

const activities = createTenantRoutedActivities({
  tenants: { get: () => undefined, source: 'TENANT_REGISTRY=/etc/tenants.json' },
  notifier: {} as Notifier,
  reports: {} as ReportStore,
  temporal: {} as Client,
  taskQueue: 'invoice-settlement',
});

async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

test("every activity takes its tenant from its input; one the registry lacks is retryable and says where it's looked", async () => {
  const names = Object.keys(activities);
  expect(names).toEqual(expect.arrayContaining(['updateCreditMemoRows', 'syncCreditMemoChunk', 'notify']));
  for (const name of names) {
    const run = (activities as unknown as Record<string, (input: unknown) => Promise<unknown>>)[name]!;
    const failure = await failureOf(run({ tenantId: 'ghost' }));
    expect({ name, type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({
      name,
      type: FailureType.UnknownTenant,
      nonRetryable: false,
    });
    expect(failure.message).toMatch(
      /^Tenant "ghost" is not in this worker's tenant registry \(TENANT_REGISTRY=\/etc\/tenants.json\)/,
    );
  }
});

test('an input that names no tenant is refused as invalid input', async () => {
  const failure = await failureOf(activities.consolidateFailureReport({} as { tenantId: string }));
  expect(failure).toMatchObject({ type: FailureType.InvalidInput, nonRetryable: true });
});
