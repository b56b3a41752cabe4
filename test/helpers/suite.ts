// What most workflow test files set up the same way: a Temporal environment (the run's dev server, or a
// time-skipping test server), the emulators with our real clients (stack.ts), and an in-process worker running
// the activities exactly as the worker builds them. Registers the jest hooks; the fields are set in beforeAll.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startStack, type Stack } from './stack';
import { devServerEnv, testWorker, timeSkippingEnv, uniqueTaskQueue } from './temporal';

export type WorkflowSuite = {
  env: TestWorkflowEnvironment;
  stack: Stack;
  taskQueue: string;
  /** Absent with `worker: false` (tests that run the worker as a process or build their own). */
  worker?: Worker;
};

export function useWorkflowSuite(
  o: {
    /** Task queue prefix, to tell tests apart in the Web UI. */
    queue?: string;
    timeSkipping?: boolean;
    stack?: Parameters<typeof startStack>[0];
    /** Start an in-process worker on the suite's task queue (default true). */
    worker?: boolean;
  } = {},
): WorkflowSuite {
  const suite = {} as WorkflowSuite;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    suite.env = o.timeSkipping ? await timeSkippingEnv() : await devServerEnv();
    suite.stack = await startStack(o.stack);
    suite.taskQueue = uniqueTaskQueue(o.queue);
    if (o.worker !== false) {
      const activities = suite.stack.activities(suite.env.client, suite.taskQueue);
      ({ worker: suite.worker } = await testWorker(suite.env, activities, suite.taskQueue));
      running = suite.worker.run();
    }
  });
  afterAll(async () => {
    if (suite.worker?.getState() === 'RUNNING') suite.worker.shutdown();
    await running;
    await suite.stack?.stop();
    await suite.env?.teardown();
  });
  return suite;
}
