import { NetSuiteApiError, NetSuitePagingError } from '../../src/netsuite/errors';
import { clientFor, useNetSuiteEmulator } from './fixture';

describe('SuiteQL: client against the emulator', () => {
  const emulator = useNetSuiteEmulator();
  let first = 0;
  let last = 0;

  beforeAll(() => {
    const seeded = emulator().admin.seed({ pagingRows: 150_000 });
    first = seeded.pagingRows?.firstId ?? 0;
    last = seeded.pagingRows?.lastId ?? 0;
  });

  it('reads a 150,000-row result completely and exactly once by key paging', async () => {
    const client = clientFor(emulator());
    const started = performance.now();
    const ids = new Set<number>();
    let rows = 0;
    for await (const row of client.suiteqlAll(
      `SELECT t.id, t.tranid FROM transaction t WHERE t.type = 'CustInvc' AND t.id BETWEEN ${first} AND ${last}
         AND t.id > :lastId ORDER BY t.id`,
    )) {
      rows++;
      ids.add(Number(row.id));
    }
    // Reported for the record, not asserted.
    console.log(
      `150k key-paged SuiteQL read: ${Math.round(performance.now() - started)} ms, ${client.stats().requests} requests`,
    );
    expect(rows).toBe(150_000);
    expect(ids.size).toBe(150_000);
    expect([...ids].every((id) => id >= first && id <= last)).toBe(true);
    expect(client.stats().requests).toBe(151); // 150 full pages and one empty page
  });

  it('offset paging hits the 100,000-result cap with a clear 400', async () => {
    const client = clientFor(emulator());
    const q = `SELECT id FROM transaction WHERE id BETWEEN ${first} AND ${last} ORDER BY id`;
    const lastAllowed = await client.suiteql(q, { limit: 1000, offset: 99_000 });
    expect(lastAllowed.items).toHaveLength(1000);
    expect(lastAllowed.totalResults).toBe(150_000);
    expect(lastAllowed.hasMore).toBe(true);
    const error = await client.suiteql(q, { limit: 1000, offset: 100_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetSuiteApiError);
    expect(error).toMatchObject({ httpStatus: 400, errorCode: 'INVALID_PARAMETER', retryable: false });
    expect((error as NetSuiteApiError).detail).toContain('100000');
  });

  it('returns the documented page shape: lower-case keys, links, nulls omitted, dates in the user format', async () => {
    const client = clientFor(emulator());
    const page = await client.suiteql(
      `SELECT id AS ID, memo, trandate, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS') AS modified
       FROM transaction WHERE id = ${first}`,
      { limit: 5 },
    );
    expect(page).toMatchObject({ count: 1, hasMore: false, offset: 0, totalResults: 1 });
    expect(page.links.map((l) => l.rel)).toEqual(['last', 'self']);
    expect(page.items[0]).toEqual({
      links: [],
      id: String(first),
      trandate: '1/1/2025',
      modified: '2025-01-01T00:00:00',
    });
  });

  it('rejects limit > 1000 and offsets that are not a multiple of the limit (server side too)', async () => {
    const client = clientFor(emulator());
    await expect(client.suiteql('SELECT id FROM transaction', { limit: 1001 })).rejects.toThrow(RangeError);
    const { url } = emulator();
    const signer = new (await import('../../src/netsuite/oauth1')).OAuth1Signer(emulator().credentials);
    for (const query of ['limit=1001&offset=0', 'limit=10&offset=5']) {
      const target = `${url}/services/rest/query/v1/suiteql?${query}`;
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          Authorization: signer.authorizationHeader({ method: 'POST', url: target }),
          Prefer: 'transient',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ q: 'SELECT id FROM transaction' }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { 'o:errorDetails': { 'o:errorCode': string }[] };
      expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe('INVALID_PARAMETER');
    }
  });

  it('requires Prefer: transient', async () => {
    const { url } = emulator();
    const signer = new (await import('../../src/netsuite/oauth1')).OAuth1Signer(emulator().credentials);
    const target = `${url}/services/rest/query/v1/suiteql?limit=10&offset=0`;
    const response = await fetch(target, {
      method: 'POST',
      headers: { Authorization: signer.authorizationHeader({ method: 'POST', url: target }) },
      body: JSON.stringify({ q: 'SELECT id FROM transaction' }),
    });
    expect(response.status).toBe(400);
  });

  it('answers invalid SQL and non-SELECT statements with 400', async () => {
    const client = clientFor(emulator());
    await expect(client.suiteql('SELECT nosuchcolumn FROM transaction')).rejects.toMatchObject({ httpStatus: 400 });
    await expect(client.suiteql('DELETE FROM transaction')).rejects.toMatchObject({ httpStatus: 400 });
    await expect(client.suiteql("SELECT TO_DATE('2025-01-01') FROM transaction")).rejects.toMatchObject({
      httpStatus: 400,
    });
  });

  it('refuses key-paged queries that do not order by the key', async () => {
    const client = clientFor(emulator());
    const iterate = async () => {
      for await (const _row of client.suiteqlAll('SELECT id FROM transaction WHERE id > :lastId')) {
        // unreachable
      }
    };
    await expect(iterate()).rejects.toThrow(NetSuitePagingError);
  });
});
