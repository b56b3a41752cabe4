// Every workflow type the worker runs (names are the operator contract in docs/product.md).
export { migrateCreditMemos } from './migrate-credit-memos';
export { revertCreditMemoMigration } from './revert-credit-memo-migration';
export { syncNetSuiteCreditMemos } from './sync-netsuite-credit-memos';
export { syncNetSuitePayments } from './sync-netsuite-payments';
export { invoiceSettlementUpgrade } from './upgrade/invoice-settlement-upgrade';
export { tenantBudget } from './tenant-budget';
// How each type follows a new worker version (PINNED upgrade, AUTO_UPGRADE syncs).
import './versioning';
