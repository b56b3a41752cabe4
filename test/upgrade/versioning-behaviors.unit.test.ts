// Every workflow type the worker runs declares how it follows a new worker version (src/workflows/versioning.ts;
// README "Deploying a new version"): a type added without a decision would silently take the worker's default. On an
// unversioned worker none may be declared: the server refuses such a workflow task, and the workflow stalls.
import type { WorkflowDefinitionOptions } from '@temporalio/common';

const info: { currentDeploymentVersion?: { deploymentName: string; buildId: string } } = {};
jest.mock('@temporalio/workflow', () => ({
  ...jest.requireActual<object>('@temporalio/workflow'),
  workflowInfo: () => info,
}));
// jest.mock is hoisted above the imports: this import sees the mock.
import * as workflows from '../../src/workflows';

type Declared = { workflowDefinitionOptions?: WorkflowDefinitionOptions | (() => WorkflowDefinitionOptions) };

/** What the SDK reads as a run starts: the options, or what their getter answers. */
function behaviors(): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(workflows).map(([name, fn]) => {
      const o = (fn as unknown as Declared).workflowDefinitionOptions;
      return [name, (typeof o === 'function' ? o() : o)?.versioningBehavior];
    }),
  );
}

test('on a versioned worker: the upgrade and its children PINNED, the scheduled syncs AUTO_UPGRADE', () => {
  info.currentDeploymentVersion = { deploymentName: 'invoice-settlement', buildId: 'v2' };
  expect(behaviors()).toEqual({
    invoiceSettlementUpgrade: 'PINNED',
    migrateCreditMemos: 'PINNED',
    revertCreditMemoMigration: 'PINNED',
    syncNetSuiteCreditMemos: 'AUTO_UPGRADE',
    syncNetSuitePayments: 'AUTO_UPGRADE',
    tenantBudget: 'AUTO_UPGRADE',
  });
});

test('on an unversioned worker: no behavior at all', () => {
  // What the SDK reports there: its default build id, no deployment name (or nothing, replaying an old history).
  for (const version of [{ deploymentName: '', buildId: '@temporalio/worker@1.24.0+0123abcd' }, undefined]) {
    info.currentDeploymentVersion = version;
    expect(Object.values(behaviors()).filter((b) => b !== undefined)).toEqual([]);
  }
});
