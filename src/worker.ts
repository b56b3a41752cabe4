// The worker: workflows from src/workflows, activities from createActivities over injected clients.
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions, type LogLevel } from '@temporalio/worker';
import type { WorkerDeploymentConfig } from './config';
import { createLogger } from './logging';
import { workflowBundleFor } from './temporal/workflow-bundle';

export const workflowsPath = require.resolve('./workflows');

let runtimeInstalled = false;

/** Runtime.install may be called once per process: logs and Prometheus metrics for the SDK. */
export function installRuntime(o: { logLevel: LogLevel; logFormat: 'json' | 'pretty'; metricsPort?: number }): void {
  if (runtimeInstalled) return;
  Runtime.install({
    logger: createLogger(o.logLevel, o.logFormat),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(o.metricsPort !== undefined ? { metrics: { prometheus: { bindAddress: `0.0.0.0:${o.metricsPort}` } } } : {}),
    },
  });
  runtimeInstalled = true;
}

export type CreateWorkerOptions = {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** Tests pass a bundle built once; the process uses the prebuilt one (or builds its own from workflowsPath). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
  /** Payload encryption (dataConverterFromConfig); undefined: plain JSON. Clients must use the same. */
  dataConverter?: DataConverter;
  /** How long running activities get to finish on shutdown before they are cancelled (default 5 s). */
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /**
   * How long a workflow task waits on this worker's sticky queue before any worker may take it (SDK default 10 s).
   * Only the tests that SIGKILL a worker shorten it (WORKER_STICKY_QUEUE_TIMEOUT_MS, test/helpers/worker-process.ts).
   */
  stickyQueueScheduleToStartTimeout?: WorkerOptions['stickyQueueScheduleToStartTimeout'];
  /** Worker Deployment Versioning (config TEMPORAL_DEPLOYMENT_NAME / TEMPORAL_BUILD_ID); undefined: unversioned. */
  deployment?: WorkerDeploymentConfig;
};

export async function createWorker(o: CreateWorkerOptions): Promise<Worker> {
  // `npm run build` prebuilds it; a worker bundles afresh only when that bundle does not match its code.
  const workflowBundle = o.workflowBundle ?? (await workflowBundleFor(workflowsPath));
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    workflowBundle,
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions ?? 100,
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
    // Versioned: workflows AUTO_UPGRADE to the deployment's current version (the syncs: short runs, each starts on the
    // newest code) unless they declare otherwise; the upgrade declares PINNED (src/workflows/versioning.ts).
    ...(o.deployment
      ? {
          workerDeploymentOptions: {
            version: o.deployment,
            useWorkerVersioning: true,
            defaultVersioningBehavior: 'AUTO_UPGRADE' as const,
          },
        }
      : {}),
    // Graceful shutdown: running activities get this long to finish (they heartbeat, so a kill is also safe).
    shutdownGraceTime: o.shutdownGraceTime ?? '5s',
    ...(o.stickyQueueScheduleToStartTimeout !== undefined
      ? { stickyQueueScheduleToStartTimeout: o.stickyQueueScheduleToStartTimeout }
      : {}),
    // The server answers a heartbeat with "paused" after `temporal activity pause` (the migration's emergency brake,
    // docs/temporal.md "Activity pause"); the SDK sends heartbeats at most every 80% of the heartbeat timeout by
    // default (24 s for the migration's 30 s), so the brake would take that long. 1 s: seen within about 2 s, at the
    // cost of at most one heartbeat call a second per running activity.
    maxHeartbeatThrottleInterval: '1s',
  });
}
