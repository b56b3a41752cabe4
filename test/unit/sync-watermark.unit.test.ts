// The sync watermark without a server: where a run reads from (the previous completed, non-dry run of the same type
// and tenant, found through visibility), NetSuite's high-water mark, the overlap arithmetic and the bounded undecided
// set. The Temporal and NetSuite clients are tiny in-process fakes of the calls the activity makes.
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { highestLastModified, previousWatermark, type WorkflowsApi } from '../../src/activities/sync/watermark';
import type { NetSuiteClient } from '../../src/netsuite/client';
import { FailureType } from '../../src/shared/failures';
import {
  MAX_UNDECIDED,
  emptyUndecided,
  mergeUndecided,
  watermarkMinus,
  type UndecidedSet,
} from '../../src/shared/sync';

type Run = { workflowId: string; closedAt: string; result: unknown | Error };

/** Visibility and results of these completed runs, listed in the order given; records the queries it was asked. */
function fakeTemporal(runs: Run[]) {
  const queries: string[] = [];
  const temporal = {
    workflow: {
      list: ({ query }: { query: string }) => {
        queries.push(query);
        return (async function* () {
          for (const r of runs)
            yield { workflowId: r.workflowId, runId: `${r.workflowId}-run`, closeTime: new Date(r.closedAt) };
        })();
      },
      getHandle: (workflowId: string) => ({
        result: async () => {
          const r = runs.find((run) => run.workflowId === workflowId)!.result;
          if (r instanceof Error) throw r;
          return r;
        },
      }),
    },
  };
  return { temporal: temporal as unknown as WorkflowsApi, queries };
}

const result = (newWatermark: string | null, dryRun = false) => ({ dryRun, newWatermark, tenantId: 't1' });
const inActivity = <T>(fn: () => Promise<T>) => new MockActivityEnvironment().run(fn);

describe('previousWatermark', () => {
  test('asks visibility for completed runs of this workflow type and tenant', async () => {
    const { temporal, queries } = fakeTemporal([]);
    await inActivity(() => previousWatermark(temporal, 'syncNetSuiteCreditMemos', 't1'));
    expect(queries).toEqual([
      "WorkflowType = 'syncNetSuiteCreditMemos' AND ExecutionStatus = 'Completed' AND IsTenantId = 't1'",
    ]);
  });

  test('no completed run: none (the run reads from the cutover)', async () => {
    const { temporal } = fakeTemporal([]);
    expect(await inActivity(() => previousWatermark(temporal, 'syncNetSuitePayments', 't1'))).toBeNull();
  });

  test.each<[string, Run[], { workflowId: string; watermark: string }]>([
    [
      'the most recently closed run, whatever order visibility lists them in',
      [
        { workflowId: 'older', closedAt: '2026-11-30T08:00:00Z', result: result('2026-11-30T07:59:00') },
        { workflowId: 'newer', closedAt: '2026-11-30T09:00:00Z', result: result('2026-11-30T08:59:00') },
      ],
      { workflowId: 'newer', watermark: '2026-11-30T08:59:00' },
    ],
    [
      'a dry run wrote nothing: passed over',
      [
        { workflowId: 'dry', closedAt: '2026-11-30T09:00:00Z', result: result('2026-11-30T08:59:00', true) },
        { workflowId: 'real', closedAt: '2026-11-30T08:00:00Z', result: result('2026-11-30T07:59:00') },
      ],
      { workflowId: 'real', watermark: '2026-11-30T07:59:00' },
    ],
    [
      'a result that cannot be read or is not a sync result: passed over, not trusted',
      [
        { workflowId: 'gone', closedAt: '2026-11-30T10:00:00Z', result: new Error('history deleted') },
        { workflowId: 'garbled', closedAt: '2026-11-30T09:30:00Z', result: { newWatermark: 'yesterday' } },
        { workflowId: 'good', closedAt: '2026-11-30T09:00:00Z', result: result('2026-11-30T08:59:00') },
      ],
      { workflowId: 'good', watermark: '2026-11-30T08:59:00' },
    ],
  ])('%s', async (_case, runs, expected) => {
    const { temporal } = fakeTemporal(runs);
    expect(await inActivity(() => previousWatermark(temporal, 'syncNetSuiteCreditMemos', 't1'))).toMatchObject(
      expected,
    );
  });

  test("the previous run's undecided records come with its watermark", async () => {
    const undecided: UndecidedSet = {
      records: [{ id: '42', lastModified: '2026-11-29T10:00:00' }],
      overflowFrom: null,
    };
    const { temporal } = fakeTemporal([
      { workflowId: 'r', closedAt: '2026-11-30T09:00:00Z', result: { ...result('2026-11-30T08:59:00'), undecided } },
    ]);
    expect(await inActivity(() => previousWatermark(temporal, 'syncNetSuiteCreditMemos', 't1'))).toMatchObject({
      undecided,
    });
  });
});

describe('highestLastModified', () => {
  const netsuite = (items: Array<Record<string, unknown>>) =>
    ({ suiteql: async () => ({ items }) }) as unknown as Pick<NetSuiteClient, 'suiteql'>;

  test("NetSuite's latest lastmodifieddate of the record type", async () => {
    expect(await highestLastModified(netsuite([{ mark: '2026-11-30T08:15:00' }]), 'CustCred')).toBe(
      '2026-11-30T08:15:00',
    );
  });

  test('no records: none', async () => {
    expect(await highestLastModified(netsuite([]), 'CustPymt')).toBeNull();
  });

  test('a mark in another format is refused (not retried: it would not change)', async () => {
    const failure = highestLastModified(netsuite([{ mark: '30/11/2026 08:15' }]), 'CustCred');
    await expect(failure).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(failure).rejects.toMatchObject({ nonRetryable: true, type: FailureType.NetSuiteResponseShapeError });
  });
});

describe('watermarkMinus (the overlap)', () => {
  test.each([
    ['2026-11-30T08:15:00', 10, '2026-11-30T08:05:00'],
    ['2026-12-01T00:05:00', 10, '2026-11-30T23:55:00'], // across midnight and month
    ['2026-11-30T08:15:00', 0, '2026-11-30T08:15:00'],
    ['1970-01-01T00:05:00', 10, '1970-01-01T00:00:00'], // never before the epoch
  ])('%s minus %i minutes is %s', (watermark, minutes, expected) => {
    expect(watermarkMinus(watermark, minutes)).toBe(expected);
  });

  test('a value that is not a watermark is refused', () => {
    expect(() => watermarkMinus('2026-11-30 08:15', 10)).toThrow(RangeError);
  });
});

describe('mergeUndecided (records read again by id next run)', () => {
  const rec = (id: number, lastModified: string) => ({ id: String(id), lastModified });

  test('the union by id', () => {
    const merged = mergeUndecided(
      { records: [rec(1, '2026-11-30T08:00:00'), rec(2, '2026-11-30T08:01:00')], overflowFrom: null },
      { records: [rec(2, '2026-11-30T08:01:00'), rec(3, '2026-11-30T08:02:00')], overflowFrom: null },
    );
    expect(merged).toEqual({
      records: [rec(1, '2026-11-30T08:00:00'), rec(2, '2026-11-30T08:01:00'), rec(3, '2026-11-30T08:02:00')],
      overflowFrom: null,
    });
  });

  test('over the bound: the oldest are kept by id, the rest are covered by holding the watermark at overflowFrom', () => {
    // One a second from 08:00: record i+1 is the i-th oldest.
    const second = (i: number) => new Date(Date.UTC(2026, 10, 30, 8, 0, i)).toISOString().slice(0, 19);
    const many = Array.from({ length: MAX_UNDECIDED + 2 }, (_, i) => rec(i + 1, second(i)));
    const merged = mergeUndecided(emptyUndecided(), { records: [...many].reverse(), overflowFrom: null });
    expect(merged.records).toHaveLength(MAX_UNDECIDED);
    expect(merged.records.map((r) => r.id)).toEqual(many.slice(0, MAX_UNDECIDED).map((r) => r.id));
    expect(merged.overflowFrom).toBe(many[MAX_UNDECIDED]!.lastModified);
  });

  test('an earlier overflow is never forgotten (the earliest wins)', () => {
    const merged = mergeUndecided(
      { records: [], overflowFrom: '2026-11-29T00:00:00' },
      { records: [], overflowFrom: '2026-11-30T00:00:00' },
    );
    expect(merged.overflowFrom).toBe('2026-11-29T00:00:00');
  });
});
