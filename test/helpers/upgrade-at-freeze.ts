// An upgrade of the demo data started and driven to its first manual step (prepare.freeze-negative-invoices), where it
// waits: the starting point of the message tests (flood, audit flood).
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { mirrorNetSuiteIntoZuora } from '../../emulators/linked-tenants';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import type { WorkflowSuite } from './suite';
import { answerFinalCreditMemoSync, waitForStep } from './upgrade-driver';

export async function startUpgradeAtFreeze(
  suite: WorkflowSuite,
  tenantId: string,
  by: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof invoiceSettlementUpgrade>> {
  const admin = { zuora: suite.stack.zuoraEmulator.admin, netsuite: suite.stack.netsuiteEmulator.admin };
  admin.zuora.reset();
  admin.netsuite.reset();
  admin.netsuite.seed({ demo: true });
  admin.zuora.seed({ demo: true });
  mirrorNetSuiteIntoZuora(suite.stack.netsuiteEmulator, suite.stack.zuoraEmulator.state);
  // Nothing left unsynced to NetSuite: the upgrade goes straight to the first manual step and waits there.
  const z = suite.stack.zuoraEmulator.state;
  for (const r of [...z.invoiceItemAdjustments.values(), ...z.invoices.values()])
    r.IntegrationStatus__NS = 'Sync Complete';
  const handle = await suite.env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue: suite.taskQueue,
    workflowId: `is-upgrade-${tenantId}`,
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    args: [{ tenantId, oldConnectorInstanceId: 'old-instance-1' }],
  });
  await answerFinalCreditMemoSync(handle, by);
  await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
  return handle;
}
