// Worker Deployment Versioning (README "Deploying a new version"): how each workflow type follows a new version of
// the worker once it is made current. Takes effect only on a versioned worker (TEMPORAL_DEPLOYMENT_NAME and
// TEMPORAL_BUILD_ID set); on an unversioned worker, where patched() keeps guarding changes, none is declared.
// The behaviors: docs/temporal.md "Worker Deployment Versioning".
import type { VersioningBehavior, WorkflowDefinitionOptions } from '@temporalio/common';
import { setWorkflowOptions, workflowInfo } from '@temporalio/workflow';
import { migrateCreditMemos } from './migrate-credit-memos';
import { revertCreditMemoMigration } from './revert-credit-memo-migration';
import { syncNetSuiteCreditMemos } from './sync-netsuite-credit-memos';
import { syncNetSuitePayments } from './sync-netsuite-payments';
import { tenantBudget } from './tenant-budget';
import { invoiceSettlementUpgrade } from './upgrade/invoice-settlement-upgrade';

/**
 * Declared only on a versioned worker: the server refuses a workflow task that carries a behavior from an unversioned
 * worker ("versioning behavior cannot be specified without deployment options being set with versioned mode", seen
 * on the dev server with server 1.32.0), which would stall every workflow there. The SDK calls this getter once, as a
 * run starts on (or is replayed by) a worker. `currentDeploymentVersion` is that worker's version; an unversioned worker
 * has one too, with a default build id and an empty deployment name (seen: the first try tested the build id).
 */
const whenVersioned = (versioningBehavior: VersioningBehavior) => (): WorkflowDefinitionOptions =>
  workflowInfo().currentDeploymentVersion?.deploymentName ? { versioningBehavior } : {};

// PINNED: the upgrade waits on people and on Zuora for weeks; every run (and each continue-as-new of it) stays on the
// version it started on until it ends, so a deploy never changes the steps under a running upgrade. Its children
// (started on the same task queue) start on the parent's version and keep it while they run.
const pinned = whenVersioned('PINNED');
setWorkflowOptions(pinned, invoiceSettlementUpgrade);
setWorkflowOptions(pinned, migrateCreditMemos);
setWorkflowOptions(pinned, revertCreditMemoMigration);

// AUTO_UPGRADE: the syncs run for minutes from a schedule; each run moves to the current version.
const autoUpgrade = whenVersioned('AUTO_UPGRADE');
setWorkflowOptions(autoUpgrade, syncNetSuiteCreditMemos);
setWorkflowOptions(autoUpgrade, syncNetSuitePayments);

// AUTO_UPGRADE: the tenant budget hands out leases while Zuora-heavy activities run and ends when they do; it holds no
// step of the ledger, so it moves to the current version like the syncs (its changes still go under patched()).
setWorkflowOptions(autoUpgrade, tenantBudget);
