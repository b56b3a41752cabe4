// A server without update-with-start: a lease holder's acquire falls back to signal-with-start + update
// (src/activities/tenant-lease.ts reportWithStart) and still gets its slots. Servers before the API went GA refuse it
// with PermissionDenied "ExecuteMultiOperation API is disabled on this namespace." (dynamic config
// frontend.enableExecuteMultiOperation off); the server we run (1.32) has no such setting any more — update-with-start is
// always on, `--dynamic-config-value frontend.enableExecuteMultiOperation=false` changes nothing. So the holders' client
// gets that refusal from a gRPC interceptor on its connection, for that one call: everything else (signal-with-start,
// updates, queries, the tenantBudget workflow on a worker) is the run's real dev server. The holders run through
// createTenantLeases().hold as an activity's do, in an activity context (they log through the activity logger).
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Interceptor } from '@grpc/grpc-js';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createTenantLeases, type LeaseHolder } from '../../src/activities/tenant-lease';
import {
  TENANT_BUDGET_WORKFLOW_TYPE,
  leaseReportUpdate,
  tenantBudgetViewQuery,
  tenantBudgetWorkflowId,
} from '../../src/shared/tenant-budget';
import { logEntry } from '../helpers/scan-sink';
import { devServerEnv, testWorker, uniqueTaskQueue } from '../helpers/temporal';

// The grpc-js instance the Temporal client itself uses (its dependency, not ours).
const grpc = createRequire(require.resolve('@temporalio/client'))('@grpc/grpc-js') as typeof import('@grpc/grpc-js');

const BUDGET = 8;
const DISABLED = 'ExecuteMultiOperation API is disabled on this namespace.';
let refused = 0;

/** Answers ExecuteMultiOperation (update-with-start) as a server with the API disabled does; passes the rest on. */
const noUpdateWithStart: Interceptor = (options, nextCall) => {
  if (!options.method_definition.path.endsWith('/ExecuteMultiOperation')) {
    return new grpc.InterceptingCall(nextCall(options));
  }
  return new grpc.InterceptingCall(nextCall(options), {
    start: (_metadata, listener) => {
      refused++;
      listener.onReceiveStatus({
        code: grpc.status.PERMISSION_DENIED,
        details: DISABLED,
        metadata: new grpc.Metadata(),
      });
    },
    sendMessage: () => undefined,
    halfClose: () => undefined,
  });
};

let env: TestWorkflowEnvironment;
let connection: Connection;
let worker: Worker;
let running: Promise<void>;
let taskQueue: string;

beforeAll(async () => {
  env = await devServerEnv();
  connection = await Connection.connect({
    address: process.env.TEST_TEMPORAL_ADDRESS,
    interceptors: [noUpdateWithStart],
  });
  ({ worker, taskQueue } = await testWorker(env, {}, uniqueTaskQueue('lease-fallback')));
  running = worker.run();
});

afterAll(async () => {
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await connection?.close();
  await env?.teardown();
});

/** Resolves once `holder`'s cap satisfies `ok` (the holders read their target every 100 ms here). */
async function capBecomes(holder: LeaseHolder, ok: (cap: number) => boolean): Promise<number> {
  while (!ok(holder.cap)) await sleep(20);
  return holder.cap;
}

it('holders get and share their slots through signal-with-start + update when update-with-start is refused', async () => {
  const client = new Client({ connection, namespace: env.namespace ?? 'default' });
  const workflowId = tenantBudgetWorkflowId('demo', taskQueue);

  // Update-with-start is refused through this client, as such a server refuses it: only the fallback can get slots.
  await expect(
    client.workflow.executeUpdateWithStart(leaseReportUpdate, {
      args: [{ holderId: 'probe', resource: 'zuora', want: 1, budget: BUDGET, applied: 0 }],
      startWorkflowOperation: new WithStartWorkflowOperation(TENANT_BUDGET_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        args: [{ tenantId: 'demo' }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    }),
  ).rejects.toMatchObject({ cause: { code: grpc.status.PERMISSION_DENIED, details: DISABLED } });
  await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/i); // nothing started
  refused = 0;

  const logged: string[] = [];
  const record = (level: 'DEBUG' | 'WARN' | 'ERROR') => (message: string, meta?: Record<string, unknown>) => {
    logged.push(message);
    logEntry(level, message, meta);
  };
  const activity = new MockActivityEnvironment(undefined, {
    logger: {
      log: (level, message, meta) => logEntry(level, message, meta),
      trace: (m, meta) => logEntry('TRACE', m, meta),
      debug: record('DEBUG'),
      info: (m, meta) => logEntry('INFO', m, meta),
      warn: record('WARN'),
      error: record('ERROR'),
    },
  });
  const leases = createTenantLeases({
    temporal: client,
    taskQueue,
    resources: () => ({ zuora: { gate: {}, budget: BUDGET }, netsuite: { gate: {}, budget: 2 } }),
    pollMs: 100,
  });

  type Caps = { aAlone: number; shared: { a: number; b: number }; aAfter: number };
  const caps: Caps = await activity.run(() =>
    leases.hold({ tenantId: 'demo', holderId: 'a', wants: { zuora: BUDGET } }, async ({ zuora: a }) => {
      // The first holder started the workflow (signal-with-start) and was granted the whole budget.
      const aAlone = await capBecomes(a!, (c) => c > 0);
      // A second holder of the same budget (the workflow runs: its signal-with-start only signals).
      const shared = await leases.hold(
        { tenantId: 'demo', holderId: 'b', wants: { zuora: BUDGET } },
        async ({ zuora: b }) => {
          const bCap = await capBecomes(b!, (c) => c > 0);
          return { a: a!.cap, b: bCap };
        },
      );
      // b released: a is granted the whole budget again.
      return { aAlone, shared, aAfter: await capBecomes(a!, (c) => c === BUDGET) };
    }),
  );

  expect(caps.aAlone).toBe(BUDGET);
  expect(caps.shared.b).toBeGreaterThan(0);
  expect(caps.shared.a + caps.shared.b).toBeLessThanOrEqual(BUDGET);
  expect(caps.aAfter).toBe(BUDGET);
  expect(refused).toBe(2); // each holder's acquire tried update-with-start first...
  expect(logged.filter((m) => m === 'update-with-start failed; signal-with-start, then update')).toHaveLength(2);
  expect(logged).not.toContain('could not reach the tenant budget'); // ...and its fallback went through at once

  // Both released: the workflow holds no lease.
  const view = await env.client.workflow.getHandle(workflowId).query(tenantBudgetViewQuery);
  expect(view.holders).toEqual({});
  expect(view.arrivals).toBe(2);
  await env.client.workflow.getHandle(workflowId).terminate('test over');
}, 30_000); // a holder that never gets its slots waits for ever: fail well before jest's 120 s
