// The manifest's write-ahead with group commit (src/activities/group-commit-lines.ts): a batch's intent is on disk
// (written, then fdatasync'ed) before its appendDurable resolves — the PUT waits for that — and the batches in
// flight share fdatasyncs instead of one each on the event loop (what bench:migration lost to them).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitLines, type LinesIo } from '../../src/activities/group-commit-lines';
import { ManifestPart } from '../../src/activities/manifest';
import { ReportStore } from '../../src/reports/report-store';

/** Real file writes, with a log of what was written and synced, in order; each operation yields to the event loop. */
function recordingIo(log: string[], failWritesAfter = Infinity): LinesIo {
  let writes = 0;
  return {
    async write(fd, data) {
      await new Promise((r) => setImmediate(r));
      if (++writes > failWritesAfter) throw new Error('disk full');
      log.push(`write ${data.toString().trim().split('\n').length}`);
      const { writeSync } = await import('node:fs');
      return writeSync(fd, data);
    },
    async datasync() {
      await new Promise((r) => setImmediate(r));
      log.push('datasync');
    },
  };
}

describe('GroupCommitLines', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('each durable append resolves only after a datasync that followed its write; 32 at once share a few', async () => {
    const log: string[] = [];
    const lines = new GroupCommitLines(join(dir, 'part.jsonl'), recordingIo(log));
    const resolvedAfter: number[] = [];
    await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        lines.appendDurable([{ batch: i }]).then(() => resolvedAfter.push(log.length)),
      ),
    );
    await lines.close();
    // Every batch's line was written, and its promise resolved with a datasync as the latest operation.
    expect(readFileSync(join(dir, 'part.jsonl'), 'utf8').trim().split('\n')).toHaveLength(32);
    for (const at of resolvedAfter) expect(log[at - 1]).toBe('datasync');
    const syncs = log.filter((l) => l === 'datasync').length;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(2); // the first batch's, then one for the 31 that asked meanwhile
  });

  test('outcome lines need no datasync and are written by close; a failed write rejects the waiter and the close', async () => {
    const log: string[] = [];
    const lines = new GroupCommitLines(join(dir, 'ok.jsonl'), recordingIo(log));
    lines.append([{ k: 'updated', id: 'a' }]);
    lines.append([{ k: 'updated', id: 'b' }]);
    await lines.close();
    expect(log).not.toContain('datasync');
    expect(readFileSync(join(dir, 'ok.jsonl'), 'utf8')).toBe('{"k":"updated","id":"a"}\n{"k":"updated","id":"b"}\n');

    const failing = new GroupCommitLines(join(dir, 'full.jsonl'), recordingIo([], 0));
    await expect(failing.appendDurable([{ batch: 1 }])).rejects.toThrow('disk full');
    await expect(failing.appendDurable([{ batch: 2 }])).rejects.toThrow('disk full');
    await expect(failing.close()).rejects.toThrow('disk full');
  });

  test("the manifest part's intent is written and synced before intend() resolves", async () => {
    const log: string[] = [];
    const reports = new ReportStore(dir);
    const part = new ManifestPart(
      reports,
      'wf',
      { workflowId: 'wf', runId: 'r', pass: 1, startRow: 0, attempt: 1 },
      recordingIo(log),
    );
    await part.intend([
      { id: 'm1', number: 'CM-1', before: 'No' },
      { id: 'm2', before: null },
    ]);
    expect(log).toEqual(['write 2', 'datasync']);
    const written = reports.list(reports.dirFor('wf'), /manifest-part/).flatMap((f) => reports.readJsonLines(f));
    expect(written.map((l) => [l.k, l.id, l.before])).toEqual([
      ['intent', 'm1', 'No'],
      ['intent', 'm2', null],
    ]);
    await part.close();
  });
});
