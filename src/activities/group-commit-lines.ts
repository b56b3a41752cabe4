// JSON Lines appended off the event loop, with group commit: the lines that callers ask to be durable while a flush
// is under way are written and fdatasync'ed together by the next one. The migration's write-ahead manifest
// (./manifest.ts) flushed each 50-memo batch's intent with a synchronous fdatasync (~3 ms on the shared disk, the
// event loop blocked meanwhile); with 32 batches in flight that was 15% of the worker's wall time
// (bench:migration --worker-cpu-prof). Now one fdatasync covers every batch that asked while the last one ran, and
// none blocks the event loop. The promise of `appendDurable` resolves only once its lines are on disk: a caller
// that waits for it before acting (the PUT) keeps the write-ahead.
import { closeSync, fdatasync, openSync, write } from 'node:fs';
import { promisify } from 'node:util';

/** The file operations, replaceable in unit tests (to see what was written and synced, and in which order). */
export type LinesIo = {
  write(fd: number, data: Buffer): Promise<number>;
  datasync(fd: number): Promise<void>;
};

const nodeIo: LinesIo = {
  write: (fd, data) =>
    new Promise((resolve, reject) => write(fd, data, (err, written) => (err ? reject(err) : resolve(written)))),
  datasync: promisify(fdatasync),
};

export class GroupCommitLines {
  private fd: number | null;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private syncWanted = false;
  private draining: Promise<void> | null = null;
  /** A failed write: every later append and the close fail with it (the caller's activity then retries). */
  private failed: unknown = null;

  constructor(
    readonly path: string,
    private readonly io: LinesIo = nodeIo,
  ) {
    this.fd = openSync(path, 'a');
  }

  /** Whether appended rows will be written (the file is open and no write failed). */
  get writable(): boolean {
    return this.fd !== null && !this.failed;
  }

  /**
   * Written soon, not waited for: a kill before the next flush may lose them (the manifest reads those memos back).
   * false: the file is closed (or a write failed), the rows will not be written.
   */
  append(rows: readonly unknown[]): boolean {
    if (!this.writable) return false;
    if (rows.length === 0) return true;
    this.pending.push(linesOf(rows));
    this.kick();
    return true;
  }

  /** Resolves once these rows (and every row appended before them) are written and fdatasync'ed. */
  appendDurable(rows: readonly unknown[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.fd === null) return Promise.reject(new Error(`${this.path} is closed`));
    if (rows.length > 0) this.pending.push(linesOf(rows));
    this.syncWanted = true;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.kick();
    return done;
  }

  /** Flushes what is left and closes the file; rejects if any write failed. */
  async close(): Promise<void> {
    this.kick();
    while (this.draining) await this.draining;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.failed) throw this.failed;
  }

  private kick(): void {
    if (this.fd === null || this.failed) return;
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
      // Lines appended between the drain's last look and now would otherwise wait for the next append.
      if (this.pending.length > 0 || this.waiters.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.fd !== null && !this.failed && (this.pending.length > 0 || this.waiters.length > 0)) {
      const fd = this.fd;
      const data = Buffer.from(this.pending.join(''));
      const waiters = this.waiters;
      const sync = this.syncWanted;
      this.pending = [];
      this.waiters = [];
      this.syncWanted = false;
      try {
        for (let off = 0; off < data.length;) off += await this.io.write(fd, data.subarray(off));
        if (sync) await this.io.datasync(fd); // the write-ahead must outlive the host too, not only the process
        for (const w of waiters) w.resolve();
      } catch (err) {
        this.failed = err;
        for (const w of [...waiters, ...this.waiters]) w.reject(err);
        this.waiters = [];
      }
    }
  }
}

function linesOf(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}
