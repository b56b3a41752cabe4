import { z } from 'zod';
import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { splitJsonLines, ZuoraClient, ZuoraResponseShapeError } from '../../src/zuora';
import { clientFor, rawCall, rejectionOf, startEmulator } from './helpers';

const REMAINING =
  "select id, memonumber from creditmemo where reasoncode = 'AR Mig - negative invoice' and transferredtoaccounting <> 'Yes'";
const memoRow = z.object({ id: z.string(), memonumber: z.string() });

async function* chunksOf(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

describe('Data Query', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  beforeEach(async () => {
    emulator = await startEmulator();
    client = clientFor(emulator);
  });
  afterEach(() => emulator.stop());

  it('submits, polls to completion and streams a 20,000-row result row by row', async () => {
    emulator.admin.seed({ migratedCreditMemos: 20_000, otherCreditMemos: 500 });
    const submitted = await client.submitDataQuery(REMAINING);
    expect(submitted.queryStatus).toBe('submitted');
    const statuses: string[] = [];
    const job = await client.waitForDataQuery(submitted.id, {
      pollMs: 5,
      maxPollMs: 20,
      onPoll: (j) => statuses.push(j.queryStatus),
    });
    expect(job).toMatchObject({ queryStatus: 'completed', outputRows: 20_000 });
    expect(statuses.at(-1)).toBe('completed');

    let count = 0;
    const ids = new Set<string>();
    for await (const row of client.streamDataQueryResult(job.dataFile ?? '', memoRow)) {
      count++;
      ids.add(row.id);
    }
    expect(count).toBe(20_000);
    expect(ids.size).toBe(20_000);
  });

  it('skipRows streams the rows after the first N, the same rows a full read gives there', async () => {
    emulator.admin.seed({ migratedCreditMemos: 300 });
    const job = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    const all = [];
    for await (const row of client.streamDataQueryResult(job.dataFile ?? '', memoRow)) all.push(row);
    const tail = [];
    for await (const row of client.streamDataQueryResult(job.dataFile ?? '', memoRow, { skipRows: 250 }))
      tail.push(row);
    expect(tail).toEqual(all.slice(250));
  });

  it('the result is a snapshot: writes after completion do not change it', async () => {
    emulator.admin.seed({ migratedCreditMemos: 10 });
    const job = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    const first = [...emulator.state.creditMemos.values()][0];
    await client.updateCreditMemo(first?.id ?? '', { transferredToAccounting: 'Yes' });
    const rows = [];
    for await (const row of client.streamDataQueryResult(job.dataFile ?? '', memoRow)) rows.push(row);
    expect(rows).toHaveLength(10);
    const again = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    expect(again.outputRows).toBe(9);
  });

  it('stopping early aborts the download', async () => {
    emulator.admin.seed({ migratedCreditMemos: 5_000 });
    const job = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    const taken = [];
    for await (const row of client.streamDataQueryResult(job.dataFile ?? '', memoRow)) {
      taken.push(row);
      if (taken.length === 3) break;
    }
    expect(taken).toHaveLength(3);
  });

  it('truncates at the output row cap and reports outputRows', async () => {
    emulator.admin.configure({ maxOutputRows: 100 });
    emulator.admin.seed({ migratedCreditMemos: 250 });
    const job = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    expect(job.outputRows).toBe(100);
  });

  it('rejects a row that does not match the caller schema', async () => {
    emulator.admin.seed({ migratedCreditMemos: 3 });
    const job = await client.waitForDataQuery((await client.submitDataQuery('select id from creditmemo')).id, {
      pollMs: 5,
    });
    const iterate = async (): Promise<void> => {
      for await (const _row of client.streamDataQueryResult(job.dataFile ?? '', memoRow)) {
        // consume
      }
    };
    expect(await rejectionOf(iterate())).toBeInstanceOf(ZuoraResponseShapeError);
  });

  it('answers 415 without application/json and 400 for SQL it does not support', async () => {
    emulator.admin.seed({ migratedCreditMemos: 1 });
    const wrongType = await rawCall(emulator, 'POST', '/query/jobs', {
      body: JSON.stringify({ query: REMAINING, outputFormat: 'JSON', compression: 'NONE' }),
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    const error = await rejectionOf(client.submitDataQuery("select id from creditmemo where reasoncode like 'AR%'"));
    expect(error).toMatchObject({ httpStatus: 400, category: 20, retryable: false });
    expect((error as Error).message).toMatch(/Invalid query/);
  });

  it('creditmemo is not a table before Invoice Settlement', async () => {
    const error = await rejectionOf(client.submitDataQuery(REMAINING));
    expect((error as Error).message).toMatch(/does not exist/);
  });

  it('the result file refuses a bearer token, like a pre-signed S3 URL', async () => {
    emulator.admin.seed({ migratedCreditMemos: 1 });
    const job = await client.waitForDataQuery((await client.submitDataQuery(REMAINING)).id, { pollMs: 5 });
    const res = await fetch(job.dataFile ?? '', { headers: { Authorization: 'Bearer x' } });
    expect(res.status).toBe(400);
    await res.text();
  });
});

describe('splitJsonLines', () => {
  it('joins records split across chunks, including multi-byte characters, and skips blank lines', async () => {
    const euro = Buffer.from('{"a":"€"}\n');
    const out = [];
    for await (const { value } of splitJsonLines(
      (async function* () {
        yield* chunksOf('{"a":1}\n{"a"', ':2}\n\n');
        yield euro.subarray(0, 7); // cuts the € in the middle of its bytes
        yield euro.subarray(7);
        yield Buffer.from('{"a":4}');
      })(),
    )) {
      out.push(value);
    }
    expect(out).toEqual([{ a: 1 }, { a: 2 }, { a: '€' }, { a: 4 }]);
  });

  it('passes over the first records unparsed and numbers the lines after them as in the file', async () => {
    const out = [];
    // Lines 1-3 are passed over (the blank one does not count as a record, the bad one is never parsed).
    for await (const r of splitJsonLines(chunksOf('{"a":1}\n\nnot json\n{"a":', '4}\n{"a":5}'), 2)) out.push(r);
    expect(out).toEqual([
      { line: 4, value: { a: 4 } },
      { line: 5, value: { a: 5 } },
    ]);
    const none = [];
    for await (const r of splitJsonLines(chunksOf('{"a":1}\n{"a":2}'), 5)) none.push(r);
    expect(none).toEqual([]);
  });

  it('fails on a line that is not JSON', async () => {
    const iterate = async (): Promise<void> => {
      for await (const _ of splitJsonLines(chunksOf('{"a":1}\nnot json\n'))) {
        // consume
      }
    };
    await expect(iterate()).rejects.toThrow(/Line 2/);
  });
});
