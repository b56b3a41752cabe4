// Test access to the run's shared dev server and workflow bundle (see global-setup.ts), and to a time-skipping
// test server for files that need one.
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { format } from 'node:util';
import { Runtime, DefaultLogger, type LogLevel, type Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../src/shared/search-attributes';
import { executableFor, loadTemporalBinaries } from '../../src/temporal/binaries';
import { createWorker } from '../../src/worker';
import { exportHistories, logEntry } from './scan-sink';

let runtimeInstalled = false;
const SEVERITY: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

/**
 * Prints warnings and errors only, but writes every entry from DEBUG up to this run's logs, so the end-of-run
 * secret scan sees what in-process workers and activities log at any level a user might configure.
 */
function quietRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('DEBUG', (entry) => {
      if (SEVERITY[entry.level] >= SEVERITY.WARN) {
        process.stderr.write(`[${entry.level}] ${entry.message} ${entry.meta ? format('%j', entry.meta) : ''}\n`);
      } else {
        logEntry(entry.level, entry.message, entry.meta);
      }
    }),
  });
}

export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS not set: run the tests through jest (global-setup.ts)');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}

export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: executableFor(loadTemporalBinaries().testServer) },
  });
  // The workflows upsert our custom search attributes: the test server must know them too.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      CUSTOM_SEARCH_ATTRIBUTES.map((k) => [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
  // Its server is gone by the end of the run: hand its histories to the end-of-run secret scan before it stops.
  const teardown = env.teardown.bind(env);
  env.teardown = async () => {
    try {
      await exportHistories(env, 'time-skipping');
    } finally {
      await teardown();
    }
  };
  return env;
}

export function workflowBundle() {
  const codePath = process.env.TEST_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('TEST_WORKFLOW_BUNDLE not set: run the tests through jest (global-setup.ts)');
  return { codePath };
}

export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export async function testWorker(
  env: TestWorkflowEnvironment,
  activities: object,
  taskQueue = uniqueTaskQueue(),
  o: Pick<Parameters<typeof createWorker>[0], 'shutdownGraceTime'> = {},
): Promise<{ worker: Worker; taskQueue: string }> {
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: workflowBundle(),
    ...o,
  });
  return { worker, taskQueue };
}
