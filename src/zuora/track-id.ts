import { createHash } from 'node:crypto';

/** Zuora accepts a Zuora-Track-Id of at most 64 characters. */
export const TRACK_ID_MAX_LENGTH = 64;

/**
 * Makes any correlation id a valid header value of ≤ 64 chars. Too-long ids keep their start and gain a short
 * hash of the whole, so two long ids with a common prefix stay distinguishable in Zuora's logs.
 */
export function normalizeTrackId(id: string): string {
  const printable = id.replace(/[^\x21-\x7e]/g, '_'); // header-safe ASCII, no spaces
  if (printable.length <= TRACK_ID_MAX_LENGTH) return printable;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${printable.slice(0, TRACK_ID_MAX_LENGTH - hash.length - 1)}~${hash}`;
}
