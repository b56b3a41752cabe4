// The worker: workflows from src/workflows, activities from createActivities over injected clients.
import { NativeConnection, Runtime, Worker, type WorkerOptions, type LogLevel } from '@temporalio/worker';
import { createLogger } from './logging';

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
  /** Tests pass a bundle built once; the process builds its own from workflowsPath. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxConcurrentActivityTaskExecutions?: number;
};

export function createWorker(o: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions: o.maxConcurrentActivityTaskExecutions ?? 100,
    // Graceful shutdown: running activities get this long to finish (they heartbeat, so a kill is also safe).
    shutdownGraceTime: '5s',
  });
}
