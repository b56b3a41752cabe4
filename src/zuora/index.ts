export {
  ZuoraClient,
  type ZuoraClientOptions,
  type BulkCreditMemoFailure,
  type BulkCreditMemoResult,
  type CreateResult,
  type WaitForDataQueryOptions,
  type UnsyncedBeforeUpgrade,
  type UnsyncedList,
} from './client';
export { ZuoraApiError, ZuoraResponseShapeError, type ZuoraErrorReason } from './errors';
export type { TransportStats } from './transport';
export { equalsAnyClauses, zoqlString, ZOQL_CONDITIONS_PER_QUERY } from './zoql';
export { normalizeTrackId, TRACK_ID_MAX_LENGTH } from './track-id';
export { splitJsonLines } from './json-lines';
export * from './schemas';
