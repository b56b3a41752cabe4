// Worker Deployment Versioning (README "Deploying a new version"): how each workflow type follows a new version of
// the worker once it is made current. Takes effect only on a versioned worker (TEMPORAL_DEPLOYMENT_NAME and
// TEMPORAL_BUILD_ID set); an unversioned worker ignores it, and patched() keeps guarding changes there.
// The behaviors: docs/temporal.md "Worker Deployment Versioning".
import type { WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions } from '@temporalio/workflow';
import { migrateCreditMemos } from './migrate-credit-memos';
import { revertCreditMemoMigration } from './revert-credit-memo-migration';
import { syncNetSuiteCreditMemos } from './sync-netsuite-credit-memos';
import { syncNetSuitePayments } from './sync-netsuite-payments';
import { invoiceSettlementUpgrade } from './upgrade/invoice-settlement-upgrade';

// PINNED: the upgrade waits on people and on Zuora for weeks; every run (and each continue-as-new of it) stays on the
// version it started on until it ends, so a deploy never changes the steps under a running upgrade. Its children
// (started on the same task queue) start on the parent's version and keep it while they run.
const pinned: WorkflowDefinitionOptions = { versioningBehavior: 'PINNED' };
setWorkflowOptions(pinned, invoiceSettlementUpgrade);
setWorkflowOptions(pinned, migrateCreditMemos);
setWorkflowOptions(pinned, revertCreditMemoMigration);

// AUTO_UPGRADE: the syncs run for minutes from a schedule; each run moves to the current version.
const autoUpgrade: WorkflowDefinitionOptions = { versioningBehavior: 'AUTO_UPGRADE' };
setWorkflowOptions(autoUpgrade, syncNetSuiteCreditMemos);
setWorkflowOptions(autoUpgrade, syncNetSuitePayments);
