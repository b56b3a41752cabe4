// Retry-After, as both Zuora and NetSuite send it with a 429 (or 503): delta-seconds or an HTTP date.

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Milliseconds from `now`; undefined if absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
