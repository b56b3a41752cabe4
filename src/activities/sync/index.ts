// The sync activities (syncNetSuiteCreditMemos, syncNetSuitePayments). Workflows import only types from here; the
// shapes they share live in src/shared/sync.ts (re-exported for the workflows' existing type imports).
export { createSyncActivities, type SyncActivities, type SyncDeps } from './activities';
export { NOT_FULLY_APPLIED_REPORT } from './chunk';
export type { BeginSyncResult, CreditMemoChunkInput, SyncChunkInput, SyncChunkResult } from '../../shared/sync';
