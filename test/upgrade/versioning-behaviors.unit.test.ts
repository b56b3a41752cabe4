// Every workflow type the worker runs declares how it follows a new worker version (src/workflows/versioning.ts;
// README "Deploying a new version"): a type added without a decision would silently take the worker's default.
import * as workflows from '../../src/workflows';

type Declared = { workflowDefinitionOptions?: { versioningBehavior?: string } };

test('the upgrade and its children are PINNED, the scheduled syncs AUTO_UPGRADE', () => {
  const behaviors = Object.fromEntries(
    Object.entries(workflows).map(([name, fn]) => [
      name,
      (fn as unknown as Declared).workflowDefinitionOptions?.versioningBehavior,
    ]),
  );
  expect(behaviors).toEqual({
    invoiceSettlementUpgrade: 'PINNED',
    migrateCreditMemos: 'PINNED',
    revertCreditMemoMigration: 'PINNED',
    syncNetSuiteCreditMemos: 'AUTO_UPGRADE',
    syncNetSuitePayments: 'AUTO_UPGRADE',
  });
});
