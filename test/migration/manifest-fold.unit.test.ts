// The manifest's folded parts (src/shared/manifest.ts "Folded parts", src/activities/manifest.ts): each chunk
// attempt leaves a fold of its part, and the consolidation merges the folds, re-folding from the parts only the
// memos a fold cannot give alone. The manifest it writes must be the very bytes that folding every line of every
// part gives (what the consolidation did before), in every case a chunk can leave: a memo in two parts, an outcome
// lost with a killed worker, a part with no fold, a fold cut short, a batch the chunk stopped before sending.
import { MockActivityEnvironment } from '@temporalio/testing';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ManifestPart, MANIFEST_PART, createManifestActivities } from '../../src/activities/manifest';
import { ReportStore } from '../../src/reports/report-store';
import {
  FoldOrderError,
  ManifestFold,
  changedInLine,
  foldEndLine,
  foldFileOfPart,
  foldLineOf,
  foldManifest,
  manifestPartLineSchema,
  mergeFolds,
  parseFoldLine,
  type ManifestEntry,
  type ManifestPartLine,
} from '../../src/shared/manifest';
import type { BulkCreditMemoResult, ZuoraClient } from '../../src/zuora/client';

const KEY = 'wf-credit-memos';

function partOf(reports: ReportStore, o: { pass: number; startRow: number; attempt?: number }) {
  return new ManifestPart(reports, KEY, { workflowId: 'wf', runId: 'r1', attempt: 1, ...o });
}
const memos = (...ids: string[]) => ids.map((id) => ({ id, number: `CM-${id}`, before: 'No' }));
const updated = (...ids: string[]) =>
  ({ updated: ids.map((id) => ({ id, number: `CM-${id}` })), failed: [] }) as BulkCreditMemoResult;

/** What the consolidation wrote before the folds: every line of every part folded, then the entries in id order. */
function foldedTheOldWay(reports: ReportStore, current: ReadonlyMap<string, string | null>): string {
  const lines: ManifestPartLine[] = [];
  for (const f of reports.list(reports.dirFor(KEY), MANIFEST_PART)) {
    for (const raw of reports.readJsonLines(f)) lines.push(manifestPartLineSchema.parse(raw));
  }
  return foldManifest(lines, current)
    .entries.map((e) => JSON.stringify(e) + '\n')
    .join('');
}

describe('fold lines', () => {
  const entry: ManifestEntry = {
    id: 'a1',
    number: 'CM-1',
    before: 'x","changed":true,"y',
    after: 'Yes',
    workflowId: 'wf',
    runId: 'r',
    pass: 1,
    writes: 1,
    changed: false,
    outcome: 'refused',
    at: 't',
    code: 'C',
  };
  test('a fold line names its memo without being parsed; unresolved and no-intent memos are marked so', () => {
    expect(parseFoldLine(foldLineOf('a1', entry))).toEqual({ id: 'a1', unresolved: false });
    expect(parseFoldLine(foldLineOf('a1', 'unresolved'))).toEqual({ id: 'a1', unresolved: true });
    expect(parseFoldLine(foldLineOf('a1', null))).toEqual({ id: 'a1', unresolved: true });
    // An id with characters JSON escapes is read the exact way.
    expect(parseFoldLine(foldLineOf('a"\\b', { ...entry, id: 'a"\\b' }))).toEqual({ id: 'a"\\b', unresolved: false });
    for (const bad of ['', '{"k":"intent"}', '{"id":"a"', foldEndLine(3), '{"id":"","x":1}']) {
      expect(parseFoldLine(bad)).toBeNull();
    }
  });

  test('changed is read from the line itself, not from a string value that spells it', () => {
    expect(changedInLine(JSON.stringify(entry))).toBe(false);
    expect(changedInLine(JSON.stringify({ ...entry, changed: true, outcome: 'updated' }))).toBe(true);
  });

  test('mergeFolds: per id, the folds that hold it, in id order; a fold unsorted, cut short or padded is refused', () => {
    const fold = (...ids: string[]) => [...ids.map((id) => foldLineOf(id, 'unresolved')), foldEndLine(ids.length)];
    const merged = [...mergeFolds([fold('a', 'c', 'd'), fold('b', 'c'), fold()])];
    expect(merged.map((m) => [m.id, m.at.map((a) => a.source)])).toEqual([
      ['a', [0]],
      ['b', [1]],
      ['c', [0, 1]],
      ['d', [0]],
    ]);
    const refused = (sources: string[][]) => {
      try {
        for (const _ of mergeFolds(sources)) {
          // consume
        }
        return null;
      } catch (err) {
        return err instanceof FoldOrderError ? err.source : err;
      }
    };
    expect(refused([fold('a'), fold('c', 'b')])).toBe(1);
    expect(refused([fold('a', 'b').slice(0, 2)])).toBe(0); // no end line
    expect(refused([[foldLineOf('a', 'unresolved'), foldEndLine(2)]])).toBe(0); // a line lost
    expect(refused([[...fold('a'), foldLineOf('b', 'unresolved')]])).toBe(0); // a line after the end
    expect(refused([fold('a'), fold('a', 'b')])).toBeNull();
  });

  test('an unsent batch is no write: alone it leaves no entry; after a refusal the memo stays refused', () => {
    const intent = (id: string, at: string): ManifestPartLine => ({
      k: 'intent',
      id,
      number: null,
      before: 'No',
      after: 'Yes',
      at,
      workflowId: 'wf',
      runId: 'r',
      pass: 1,
    });
    const f = new ManifestFold();
    for (const l of [
      intent('a', 't1'),
      { k: 'unsent', id: 'a', at: 't2' },
      intent('b', 't1'),
      { k: 'refused', id: 'b', at: 't2', code: 'C', message: 'm' },
      intent('b', 't3'),
      { k: 'unsent', id: 'b', at: 't4' },
    ] as ManifestPartLine[]) {
      f.add(l);
    }
    expect(f.ids()).toEqual(['a', 'b']);
    f.add({ ...intent('0', 't5') });
    expect(f.ids()).toEqual(['0', 'a', 'b']); // sorted again once a memo is added
    expect(f.entryOf('a')).toBeNull();
    expect(f.lost('a')).toBe(false);
    expect(f.entryOf('b')).toMatchObject({ changed: false, outcome: 'refused', writes: 1, code: 'C' });
    expect(f.lost('b')).toBe(false);
  });
});

describe('consolidateManifest over folds', () => {
  let dir: string;
  let reports: ReportStore;
  let reads: string[];
  const current = new Map<string, string | null>([
    ['d', 'Yes'],
    ['h', 'No'],
  ]);
  const consolidate = () => {
    const zuora = {
      withTrackId: () => ({
        getCreditMemo: (id: string) => {
          reads.push(id);
          return Promise.resolve({ transferredToAccounting: current.get(id) ?? null });
        },
      }),
    } as unknown as ZuoraClient;
    const { consolidateManifest } = createManifestActivities({ zuora, reports, tenantId: 't' });
    return new MockActivityEnvironment().run(consolidateManifest, { tenantId: 't', manifestKey: KEY }) as ReturnType<
      typeof consolidateManifest
    >;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-fold-'));
    reports = new ReportStore(dir);
    reads = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('clean parts: the manifest is copied from the folds alone (the parts are not read) and is byte-identical', async () => {
    const a = partOf(reports, { pass: 1, startRow: 0 });
    await a.intend(memos('m3', 'm1'));
    a.outcome(updated('m3', 'm1'), memos('m3', 'm1'));
    await a.close();
    const b = partOf(reports, { pass: 1, startRow: 2 });
    await b.intend(memos('m2', 'm4'));
    b.outcome(
      { updated: [{ id: 'm2' }], failed: [{ id: 'm4', objectIndex: 1, code: 'C', message: 'no' }] } as never,
      memos('m2', 'm4'),
    );
    await b.close();
    const expected = foldedTheOldWay(reports, new Map());
    // The parts damaged after their folds were written: a consolidation that read them would fail.
    for (const f of reports.list(reports.dirFor(KEY), MANIFEST_PART)) writeFileSync(f, 'not json\n');

    const r = await consolidate();
    const text = readFileSync(r.location, 'utf8');
    expect(text).toBe(expected);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(r).toMatchObject({ memos: 4, changed: 3, readAfterKill: 0 });
    expect(r.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(readFileSync(`${r.location}.sha256`, 'utf8')).toBe(`${r.sha256}  ${basename(r.location)}\n`);
    expect(reads).toEqual([]);
  });

  test('a memo in two parts, lost outcomes, a killed attempt with no fold, a fold cut short, an unsent batch', async () => {
    // Pass 1: a written, b refused, c written, d's outcome lost (its PUT failed and the chunk closed).
    const p1 = partOf(reports, { pass: 1, startRow: 0 });
    await p1.intend(memos('a', 'b', 'c', 'd'));
    p1.outcome(
      {
        updated: [{ id: 'a' }, { id: 'c' }],
        failed: [{ id: 'b', objectIndex: 1, code: 'L', message: 'locked' }],
      } as never,
      memos('a', 'b', 'c'),
    );
    await p1.close();
    // Pass 2: b written this time; e's batch never sent (the chunk paused); f written.
    const p2 = partOf(reports, { pass: 2, startRow: 0 });
    await p2.intend(memos('b', 'f'));
    await p2.intend(memos('e'));
    p2.outcome(updated('b', 'f'), memos('b', 'f'));
    p2.unsent(memos('e'));
    await p2.close();
    // A killed attempt: its part has g written and h's outcome lost, and no fold.
    const killed = reports.pathFor(KEY, 'credit-memo-manifest-part-r1-pass2-rows50-attempt1.jsonl');
    const at = new Date().toISOString();
    const intent = (id: string) => ({
      k: 'intent',
      id,
      number: null,
      before: null,
      after: 'Yes',
      at,
      workflowId: 'wf',
      runId: 'r1',
      pass: 2,
    });
    writeFileSync(
      killed,
      [intent('g'), { k: 'updated', id: 'g', at }, intent('h')].map((l) => JSON.stringify(l) + '\n').join(''),
    );
    // A fold cut short (the disk lost its end): its part is folded instead.
    const p3 = partOf(reports, { pass: 2, startRow: 100 });
    await p3.intend(memos('i', 'j'));
    p3.outcome(updated('i', 'j'), memos('i', 'j'));
    await p3.close();
    const fold3 = foldFileOfPart(reports.pathFor(KEY, 'credit-memo-manifest-part-r1-pass2-rows100-attempt1.jsonl'));
    expect(existsSync(fold3)).toBe(true);
    writeFileSync(fold3, readFileSync(fold3, 'utf8').split('\n').slice(0, 1).join('\n') + '\n');
    expect(existsSync(foldFileOfPart(killed))).toBe(false);

    const expected = foldedTheOldWay(reports, current);
    const r = await consolidate();
    const text = readFileSync(r.location, 'utf8');
    expect(text).toBe(expected);
    const byId = new Map(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => [(JSON.parse(l) as ManifestEntry).id, JSON.parse(l) as ManifestEntry]),
    );
    expect([...byId.keys()]).toEqual(['a', 'b', 'c', 'd', 'f', 'g', 'h', 'i', 'j']); // e was never sent
    expect(byId.get('b')).toMatchObject({ changed: true, outcome: 'updated', writes: 2, pass: 2 });
    expect(byId.get('d')).toMatchObject({ changed: true, outcome: 'read-yes' });
    expect(byId.get('h')).toMatchObject({ changed: false, outcome: 'read-not-yes' });
    expect(reads.sort()).toEqual(['d', 'h']);
    expect(r).toMatchObject({ memos: 9, changed: 8, readAfterKill: 2 });
    expect(r.sha256).toBe(createHash('sha256').update(text).digest('hex'));
  });

  test('an outcome that comes after the part closed is in neither the part nor its fold', async () => {
    const p = partOf(reports, { pass: 1, startRow: 0 });
    await p.intend(memos('a'));
    await p.close();
    p.outcome(updated('a'), memos('a'));
    const part = reports.list(reports.dirFor(KEY), MANIFEST_PART)[0]!;
    expect(reports.readJsonLines(part).map((l) => l.k)).toEqual(['intent']);
    expect(readFileSync(foldFileOfPart(part), 'utf8')).toBe(`${foldLineOf('a', 'unresolved')}\n${foldEndLine(1)}\n`);
    const r = await consolidate();
    expect(reads).toEqual(['a']);
    expect(r).toMatchObject({ memos: 1, readAfterKill: 1 });
  });
});
