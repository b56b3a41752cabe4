// Worker Deployment Versioning on the run's dev server (issue 15, point 4; README "Deploying a new version"): an
// upgrade started on version 1 finishes on version 1 after version 2 is made current, while an upgrade started after
// that runs version 2. Version 2 is the same code with one step changed (./versioning/steps-v2.ts), bundled by
// global-setup.ts with a webpack module replacement (test/helpers/versioned-bundle.ts).
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { MESSAGE_DEFINITIONS, type StepId, type UpgradeStatus } from '../../src/shared/upgrade';
import { deleteSyncSchedule } from '../../src/temporal/schedules';
import { createWorker } from '../../src/worker';
import { useWorkflowSuite } from '../helpers/suite';
import { version2Bundle } from '../helpers/versioned-bundle';
import { workflowBundle } from '../helpers/temporal';
import { temporalCli } from '../helpers/temporal-cli';
import { startUpgradeAtFreeze } from '../helpers/upgrade-at-freeze';
import { stepOf, waitForStep } from '../helpers/upgrade-driver';
import { V2_FREEZE_AUDIT } from './versioning/steps-v2';

const TENANT = 'versioning';
const BY = 'ana@example.com';
const suite = useWorkflowSuite({ queue: 'versioning', stack: { tenantId: TENANT }, worker: false });
const deploymentName = `is-test-${randomUUID().slice(0, 8)}`;
const PINNED = temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_PINNED;

const workers: { worker: Worker; running: Promise<void> }[] = [];
async function startVersion(buildId: string, workflowBundle: { code: string } | { codePath: string }) {
  const worker = await createWorker({
    connection: suite.env.nativeConnection,
    namespace: 'default',
    taskQueue: suite.taskQueue,
    activities: suite.stack.activities(suite.env.client, suite.taskQueue),
    workflowBundle,
    deployment: { deploymentName, buildId },
  });
  workers.push({ worker, running: worker.run() });
}

/** The README's command. The version exists once its worker has polled: until then the server refuses it. */
async function setCurrentVersion(buildId: string) {
  const args = ['worker', 'deployment', 'set-current-version'];
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await temporalCli([...args, '--deployment-name', deploymentName, '--build-id', buildId, '--yes']);
    if (r.status === 0) return;
    if (Date.now() > deadline) throw new Error(`set-current-version ${buildId} failed (${r.status}): ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

async function versioningOf(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return {
    behavior: info?.behavior,
    buildId: info?.deploymentVersion?.buildId,
    deployment: info?.deploymentVersion?.deploymentName,
  };
}

/** Every messages an operator sends to take a frozen upgrade to its end (as in message-flood.test.ts). */
async function driveToEnd(handle: WorkflowHandle): Promise<UpgradeStatus> {
  suite.stack.zuoraEmulator.admin.enableInvoiceSettlement();
  const send = (name: keyof typeof MESSAGE_DEFINITIONS, payload: object) =>
    handle.executeUpdate(MESSAGE_DEFINITIONS[name].update as never, { args: [payload] as never });
  await send('invoiceSettlementEnabled', { by: BY });
  await send('provisioningIdsReceived', { by: BY, accountId: 'acct-1', environmentId: 'env-1', ticketId: 'T-1' });
  const data: Partial<Record<StepId, object>> = {
    'connector.oauth-client': { oauthClientId: 'oauth-1' },
    'connector.new-instance': { newInstanceId: 'instance-2' },
    'connector.support-ticket': { ticketId: 'T-1' },
  };
  for (const stepId of [
    'connector.oauth-client',
    'connector.new-instance',
    'connector.instance-credentials',
    'connector.support-ticket',
    'connector.sync-preferences',
    'payments.zuora-sync-updates-default',
    'prepare.freeze-negative-invoices',
  ] as StepId[])
    await send('completeStep', { by: BY, stepId, ...(data[stepId] ? { data: data[stepId] } : {}) });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  await send('approveStep', { by: BY, stepId: 'migrate.credit-memos' });
  await waitForStep(handle, 'connector.retire-old', 'waiting');
  await send('skipStep', { by: BY, stepId: 'connector.retire-old', reason: 'not in this test' });
  return (await handle.result()) as UpgradeStatus;
}

afterEach(async () => {
  for (const w of workers) if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
  await Promise.all(workers.map((w) => w.running));
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
  await deleteSyncSchedule(suite.env.client, 'payment', TENANT);
});

test('an upgrade stays on the version it started on; a new one takes the current version', async () => {
  await startVersion('v1', workflowBundle());
  await setCurrentVersion('v1');
  const first = await startUpgradeAtFreeze(suite, TENANT, BY);
  expect(await versioningOf(first)).toEqual({ behavior: PINNED, buildId: 'v1', deployment: deploymentName });

  // Version 2 deployed and made current while the first upgrade waits at its freeze step.
  await startVersion('v2', version2Bundle());
  await setCurrentVersion('v2');

  const done = await driveToEnd(first);
  expect(done.phase).toBe('done');
  expect(await versioningOf(first)).toEqual({ behavior: PINNED, buildId: 'v1', deployment: deploymentName });
  expect(stepOf(done, 'prepare.freeze-negative-invoices').state).toBe('done');
  expect(done.audit.map((a) => a.detail)).not.toContain(V2_FREEZE_AUDIT); // version 1's step ran

  // A new upgrade starts on the current version, and runs version 2's step.
  const second = await startUpgradeAtFreeze(suite, TENANT, BY);
  expect(await versioningOf(second)).toEqual({ behavior: PINNED, buildId: 'v2', deployment: deploymentName });
  await second.executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, {
    args: [{ by: BY, stepId: 'prepare.freeze-negative-invoices' }],
  });
  const moved = await waitForStep(second, 'prepare.freeze-negative-invoices', 'done');
  expect(moved.audit.map((a) => a.detail)).toContain(V2_FREEZE_AUDIT); // version 2's step ran
  await second.terminate('test done');
});
