// splitJsonLines' skipRows (src/zuora/json-lines.ts): a chunk that starts at row N passes over the first N records of
// the result file without parsing them; the rows it yields are exactly those after them.
import { splitJsonLines } from '../../src/zuora/json-lines';

async function* chunksOf(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p);
}

async function collect(skip: number, ...parts: string[]) {
  const out: { line: number; value: unknown }[] = [];
  for await (const r of splitJsonLines(chunksOf(...parts), skip)) out.push(r);
  return out;
}

describe('splitJsonLines skipRows', () => {
  test('skips that many records (blank lines are not records), across chunk boundaries; line numbers stay true', async () => {
    const out = await collect(2, '{"a":1}\n\n{"a"', ':2}\n{"a":3}\n', '{"a":4}');
    expect(out).toEqual([
      { line: 4, value: { a: 3 } },
      { line: 5, value: { a: 4 } },
    ]);
  });

  test('skipped records are not parsed: a line that is not JSON among them does not fail the stream', async () => {
    expect((await collect(1, 'not json\n{"a":2}\n')).map((r) => r.value)).toEqual([{ a: 2 }]);
    await expect(collect(0, 'not json\n{"a":2}\n')).rejects.toThrow(/Line 1/);
  });

  test('skipping past the end yields nothing', async () => {
    expect(await collect(5, '{"a":1}\n{"a":2}')).toEqual([]);
  });
});
