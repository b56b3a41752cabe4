// A chunk reuses the result link this worker fetched lately (src/activities/migration.ts, RecentLinks; docs/zuora.md
// §2) instead of a Zuora round trip before its first row, and fetches the job again when Zuora refuses a reused link
// (403, as S3 answers an expired one). Without a recent link it fetches the job, as before.
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINK_REUSE_MS, RecentLinks, createMigrationActivities } from '../../src/activities/migration';
import { ReportStore } from '../../src/reports/report-store';
import type { ZuoraClient } from '../../src/zuora/client';
import { ZuoraApiError } from '../../src/zuora/errors';

const ROWS = Array.from({ length: 120 }, (_, i) => ({
  id: `m${i}`,
  memonumber: `CM-${i}`,
  transferredtoaccounting: 'No',
}));

/** Zuora with one completed job whose link changes when `expire()` is called (the old one is then refused). */
function fakeZuora() {
  let link = 1;
  const calls = { getJob: 0, downloads: [] as string[], written: [] as string[] };
  const client = {
    withTrackId: () => client,
    stats: () => ({ retries: 0, throttledMs: 0 }),
    getDataQueryJob: (id: string) => {
      calls.getJob++;
      return Promise.resolve({
        id,
        queryStatus: 'completed',
        outputRows: ROWS.length,
        dataFile: `https://s3/f?sig=${link}`,
      });
    },
    async *streamDataQueryResult(dataFile: string, _schema: unknown, o: { skipRows?: number } = {}) {
      calls.downloads.push(dataFile);
      await Promise.resolve();
      if (dataFile !== `https://s3/f?sig=${link}`) {
        throw new ZuoraApiError({ httpStatus: 403, code: 'HTTP_403', message: 'Request has expired' });
      }
      yield* ROWS.slice(o.skipRows ?? 0);
    },
    bulkUpdateCreditMemos: (items: { id: string }[]) => {
      calls.written.push(...items.map((i) => i.id));
      return Promise.resolve({ updated: items.map((i) => ({ id: i.id, number: i.id })), failed: [] });
    },
  };
  return { client: client as unknown as ZuoraClient, calls, expire: () => link++ };
}

describe('result links', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'result-link-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('RecentLinks: a link is reused for LINK_REUSE_MS after it was fetched, then not; a job with no file is not kept', () => {
    let now = 0;
    const links = new RecentLinks(() => now);
    links.remember({ id: 'j', dataFile: 'https://s3/f', outputRows: 3 });
    links.remember({ id: 'k', dataFile: null });
    now = LINK_REUSE_MS - 1;
    expect(links.recent('j')).toMatchObject({ dataFile: 'https://s3/f', outputRows: 3 });
    expect(links.recent('k')).toBeUndefined();
    now = LINK_REUSE_MS;
    expect(links.recent('j')).toBeUndefined();
  });

  test('chunks of one job: the second reuses the first one’s link; a refused link is fetched again, no row lost', async () => {
    const { client, calls, expire } = fakeZuora();
    const { updateCreditMemoRows } = createMigrationActivities({
      zuora: client,
      reports: new ReportStore(dir),
      tenantId: 't',
    });
    const chunk = (startRow: number, endRow: number) =>
      new MockActivityEnvironment().run(updateCreditMemoRows, {
        tenantId: 't',
        jobId: 'job-1',
        pass: 1,
        startRow,
        endRow,
        concurrencyBudget: 2,
      }) as ReturnType<typeof updateCreditMemoRows>;

    expect(await chunk(0, 40)).toMatchObject({ nextRow: 40, updated: 40, jobRows: ROWS.length });
    expect(calls.getJob).toBe(1);
    expect(await chunk(40, 80)).toMatchObject({ nextRow: 80, updated: 40, jobRows: ROWS.length });
    expect(calls.getJob).toBe(1); // reused

    expire();
    expect(await chunk(80, 120)).toMatchObject({ nextRow: 120, updated: 40 });
    expect(calls.getJob).toBe(2); // refused, fetched again
    expect(calls.downloads).toEqual([
      'https://s3/f?sig=1',
      'https://s3/f?sig=1',
      'https://s3/f?sig=1',
      'https://s3/f?sig=2',
    ]);
    expect(calls.written).toEqual(ROWS.map((r) => r.id));
  });
});
