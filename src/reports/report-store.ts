// Per-record reports (migration failures, dry-run samples, sync reconciliation) live in files, never in workflow
// history. One folder per workflow id under DATA_DIR/reports; in a multi-worker deployment that folder is a shared
// volume. Each file is written by one activity run and rewritten (not appended twice) when that activity retries.
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { once } from 'node:events';

/** The folder of a workflow's reports. Workflow ids are operator-chosen for standalone runs: kept to safe names. */
export const reportDirName = (workflowId: string) => workflowId.replace(/[^A-Za-z0-9._-]/g, '_');

export class ReportStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  dirFor(workflowId: string): string {
    const dir = join(this.root, reportDirName(workflowId));
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  pathFor(workflowId: string, name: string): string {
    return join(this.dirFor(workflowId), name);
  }

  /** Write a whole JSON Lines file (replacing any earlier attempt's). */
  writeJsonLines(path: string, rows: Iterable<unknown>): void {
    let text = '';
    for (const r of rows) text += JSON.stringify(r) + '\n';
    writeFileSync(path, text);
  }

  /**
   * Keep the lines an earlier attempt wrote for work it finished (`keep` says which), drop the rest, and return an
   * appender for this attempt. This is how a resumed activity avoids reporting a memo twice.
   */
  async openJsonLines(path: string, keep: (row: Record<string, unknown>) => boolean): Promise<JsonLinesAppender> {
    const kept = existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0 && keep(JSON.parse(l) as Record<string, unknown>))
      : [];
    writeFileSync(path, kept.map((l) => l + '\n').join(''));
    const stream = createWriteStream(path, { flags: 'a' });
    let lines = kept.length;
    return {
      path,
      get lines() {
        return lines;
      },
      append(row: unknown) {
        stream.write(JSON.stringify(row) + '\n');
        lines++;
      },
      async close() {
        stream.end();
        await once(stream, 'finish');
      },
    };
  }

  /** Files in `dir` whose names match, sorted by name. */
  list(dir: string, pattern: RegExp): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => pattern.test(f))
      .sort()
      .map((f) => join(dir, f));
  }

  readJsonLines(path: string): Record<string, unknown>[] {
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export type JsonLinesAppender = {
  readonly path: string;
  readonly lines: number;
  append(row: unknown): void;
  close(): Promise<void>;
};
