import { createHash } from 'node:crypto';

/** Zuora accepts a Zuora-Track-Id of at most 64 characters. */
export const TRACK_ID_MAX_LENGTH = 64;

/**
 * Makes any correlation id a valid Zuora-Track-Id: US-ASCII without `: ; " '` (the spec's rule,
 * docs/zuora.md §8) and ≤ 64 chars. Deterministic, so Zuora's logs can be searched for what a workflow would send:
 * `:` becomes `.` (a schedule-started workflow id's RFC 3339 time `…T18:00:00Z` reads `…T18.00.00Z`), the other
 * forbidden or non-printable characters become `_`. Too-long ids keep their start and gain a short hash of the
 * whole, so two long ids with a common prefix stay distinguishable.
 */
export function normalizeTrackId(id: string): string {
  const allowed = id.replace(/:/g, '.').replace(/[^\x21-\x7e]|[;"']/g, '_');
  if (allowed.length <= TRACK_ID_MAX_LENGTH) return allowed;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${allowed.slice(0, TRACK_ID_MAX_LENGTH - hash.length - 1)}~${hash}`;
}
