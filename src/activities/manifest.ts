// The migration's manifest on disk: a write-ahead part file per chunk attempt (the intent flushed before each PUT,
// then its outcome; group-committed, ./group-commit-lines.ts), and the consolidation into one file per migration
// with its sha256 beside it.
import { createHash, type Hash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { basename } from 'node:path';
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import { RequestGate } from '../http/request-gate';
import { GroupCommitLines, type LinesIo } from './group-commit-lines';
import type { ReportStore } from '../reports/report-store';
import {
  FoldOrderError,
  MANIFEST_FILE,
  ManifestFold,
  changedInLine,
  checksumFileOf,
  foldFileOfPart,
  foldEndLine,
  foldLineOf,
  manifestPartLineSchema,
  mergeFolds,
  needsRefold,
  type FoldSource,
  type ManifestEntry,
  type ManifestPartLine,
} from '../shared/manifest';
import type { BulkCreditMemoResult, ZuoraClient } from '../zuora/client';
import { assertTenant, trackIdOf, withActivityFailures, workflowIdOf } from './common';

export const MANIFEST_PART = /^credit-memo-manifest-part-.+\.jsonl$/;

/** Appends lines synchronously (they are in the file when append returns, so a SIGKILL right after keeps them). */
export class SyncLines {
  private fd: number | null;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  append(rows: readonly unknown[], durable = false): void {
    if (this.fd === null || rows.length === 0) return;
    writeSync(this.fd, rows.map((r) => JSON.stringify(r) + '\n').join(''));
    if (durable) fdatasyncSync(this.fd); // the write-ahead must outlive the host too, not only the process
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export type ManifestMemo = { id: string; number?: string; before: string | null };

/**
 * The manifest part of one chunk attempt. It folds its own lines as it writes them, and once the part is complete
 * (closed with every line written) leaves the fold beside it: the consolidation merges folds instead of re-reading
 * every line (shared/manifest.ts, "Folded parts").
 */
export class ManifestPart {
  private readonly lines: GroupCommitLines;
  private readonly fold = new ManifestFold();
  /** Fold lines made so far, by memo id. */
  private readonly made = new Map<string, string>();
  constructor(
    reports: ReportStore,
    manifestKey: string,
    private readonly run: { workflowId: string; runId: string; pass: number; startRow: number; attempt: number },
    io?: LinesIo,
  ) {
    const name = `credit-memo-manifest-part-${run.runId}-pass${run.pass}-rows${run.startRow}-attempt${run.attempt}.jsonl`;
    this.lines = new GroupCommitLines(reports.pathFor(manifestKey, name), io);
  }

  /**
   * Before the PUT: the PUT waits for this promise, which resolves once the intent is written and fdatasync'ed, so
   * no memo is written without being in the manifest (the batches in flight share one fdatasync).
   */
  intend(memos: readonly ManifestMemo[]): Promise<void> {
    const at = new Date().toISOString();
    const { workflowId, runId, pass } = this.run;
    const rows = memos.map((m): ManifestPartLine => ({
      k: 'intent',
      id: m.id,
      number: m.number ?? null,
      before: m.before,
      after: 'Yes',
      at,
      workflowId,
      runId,
      pass,
    }));
    if (this.lines.writable) this.add(rows); // else appendDurable rejects
    return this.lines.appendDurable(rows);
  }

  /** After the PUT: what Zuora said of each memo (a retryable refusal is recorded too; its retry writes again). */
  outcome(res: BulkCreditMemoResult, sent: readonly { id: string }[]): void {
    const at = new Date().toISOString();
    const rows = [
      ...res.updated.map((m): ManifestPartLine => ({ k: 'updated', id: m.id, at })),
      ...res.failed.map((f): ManifestPartLine => ({
        k: 'refused',
        id: f.id || sent[f.objectIndex]?.id || '',
        at,
        code: f.code,
        message: f.message,
      })),
    ];
    // Folded only what the file gets: the fold must say what its part says, no more.
    if (!this.lines.append(rows)) return;
    this.add(rows);
    // Each memo's fold line made now, while the batches are in flight, rather than all at the close (~0.6 s a chunk
    // of 100,000, when nothing else runs); a later line of the same memo (its retry) makes it again.
    for (const r of rows) this.made.set(r.id, foldLineOf(r.id, this.fold.entryOf(r.id)));
  }

  /** The chunk stopped before sending these memos, whose intent is written: no write happened. */
  unsent(memos: readonly { id: string }[]): void {
    const at = new Date().toISOString();
    const rows = memos.map((m): ManifestPartLine => ({ k: 'unsent', id: m.id, at }));
    if (this.lines.append(rows)) this.add(rows);
  }

  /** Every batch is dispatched (no memo comes after): the fold's memos are sorted now, not at the close. */
  lastDispatched(): void {
    this.fold.ids();
  }

  /** Writes the outcomes still buffered, then the fold; rejects if a write failed (the part then has no fold). */
  async close(): Promise<void> {
    await this.lines.close();
    writeFold(this.lines.path, this.fold, this.made);
  }

  private add(rows: readonly ManifestPartLine[]): void {
    for (const r of rows) {
      this.fold.add(r);
      this.made.delete(r.id);
    }
  }
}

/**
 * The fold of a complete part, beside it: written to a temporary file and renamed, so a kill leaves a whole fold or
 * none (the consolidation then folds the part itself); its end line tells a fold the disk lost the end of.
 */
export function writeFold(partPath: string, fold: ManifestFold, made: ReadonlyMap<string, string> = new Map()): void {
  const ids = fold.ids();
  writeLinesAtomically(
    foldFileOfPart(partPath),
    (function* () {
      for (const id of ids) yield made.get(id) ?? foldLineOf(id, fold.entryOf(id));
      yield foldEndLine(ids.length);
    })(),
  );
}

/**
 * Writes `lines` to `path` through a temporary file renamed at the end (a kill leaves the whole file or none), in
 * blocks of about 1 MiB (memory stays flat however many lines), each block also hashed into `hash` if given.
 */
function writeLinesAtomically(path: string, lines: Iterable<string>, hash?: Hash): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let text = '';
    const flush = () => {
      hash?.update(text);
      writeSync(fd, text);
      text = '';
    };
    for (const line of lines) {
      text += line + '\n';
      if (text.length >= 1 << 20) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The checksum file beside `path`, in sha256sum's format (`sha256sum -c` checks it). */
function writeChecksumFile(path: string, sha256: string): void {
  writeFileSync(checksumFileOf(path), `${sha256}  ${basename(path)}\n`);
}

/** A file's lines, read in blocks (memory stays flat however long the file); re-iterable. */
export function linesOfFile(path: string): Iterable<string> {
  return {
    *[Symbol.iterator]() {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(1 << 20);
        const decoder = new StringDecoder('utf8');
        let rest = '';
        for (;;) {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n === 0) break;
          const text = rest + decoder.write(buf.subarray(0, n));
          const lines = text.split('\n');
          rest = lines.pop()!;
          yield* lines;
        }
        rest += decoder.end();
        if (rest.length > 0) yield rest;
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** A part's lines, each checked (the parts are read back from disk). */
function* partLines(path: string): Generator<ManifestPartLine> {
  for (const line of linesOfFile(path)) {
    if (line.length > 0) yield manifestPartLineSchema.parse(JSON.parse(line));
  }
}

/** A part folded here (it left no fold, or its fold is not one): its fold lines, in memory. */
function foldedInMemory(path: string): string[] {
  const fold = new ManifestFold();
  for (const l of partLines(path)) fold.add(l);
  const ids = fold.ids();
  return [...ids.map((id) => foldLineOf(id, fold.entryOf(id))), foldEndLine(ids.length)];
}

export function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Reads `<file>.sha256` ("<hex>  <name>"), or null when it is missing or malformed. */
export function recordedSha256(path: string): string | null {
  const sum = checksumFileOf(path);
  if (!existsSync(sum)) return null;
  const m = /^([0-9a-f]{64}) {2}/.exec(readFileSync(sum, 'utf8'));
  return m ? m[1]! : null;
}

export function writeWithChecksum(reports: ReportStore, path: string, rows: readonly unknown[]): string {
  reports.writeJsonLines(path, rows);
  const sha256 = sha256Of(path);
  writeChecksumFile(path, sha256);
  return sha256;
}

export type ManifestDeps = { zuora: ZuoraClient; reports: ReportStore; tenantId: string };

export function createManifestActivities({ zuora, reports, tenantId }: ManifestDeps) {
  return {
    /**
     * One manifest for the whole migration (and its canary, which shares the folder): the parts folded per memo,
     * sorted by id, with its sha256. Memos whose outcome was lost with a killed worker are read from Zuora.
     */
    async consolidateManifest(input: { tenantId: string; manifestKey?: string }) {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const key = input.manifestKey ?? workflowIdOf(info);
      const client = zuora.withTrackId(trackIdOf(info));
      return withActivityFailures(async () => {
        const parts = reports.list(reports.dirFor(key), MANIFEST_PART);
        const sources: FoldSource[] = parts.map((p) =>
          existsSync(foldFileOfPart(p)) ? linesOfFile(foldFileOfPart(p)) : foldedInMemory(p),
        );
        // Pass 1: the memos a fold cannot give alone (in several parts, or unresolved), and the parts holding them.
        let refold = new Set<string>();
        let refoldParts = new Set<number>();
        for (;;) {
          try {
            refold = new Set();
            refoldParts = new Set();
            for (const { id, at } of mergeFolds(sources)) {
              if (!needsRefold(at)) continue;
              refold.add(id);
              for (const a of at) refoldParts.add(a.source);
            }
            break;
          } catch (err) {
            if (!(err instanceof FoldOrderError)) throw err;
            // Not a fold this code writes (damaged?): its part is the truth.
            log.warn('manifest fold not usable; folding its part', { part: parts[err.source] });
            sources[err.source] = foldedInMemory(parts[err.source]!);
          }
        }
        // Those memos folded from the lines of every part that holds them, in the parts' order (as one fold of all).
        const fold = new ManifestFold();
        for (const i of [...refoldParts].sort((a, b) => a - b)) {
          for (const l of partLines(parts[i]!)) if (refold.has(l.id)) fold.add(l);
        }
        const unresolved = [...refold].filter((id) => fold.lost(id));
        const current = new Map<string, string | null>();
        const gate = new RequestGate({ maxInFlight: 4 });
        await Promise.all(
          unresolved.map((id) =>
            gate.run(async () => {
              current.set(id, (await client.getCreditMemo(id)).transferredToAccounting ?? null);
              heartbeat();
            }),
          ),
        );
        // Pass 2: the manifest in id order — each other memo's line copied from its fold — hashed as it is written.
        const location = reports.pathFor(key, MANIFEST_FILE);
        const hash = createHash('sha256');
        let memos = 0;
        let changed = 0;
        function* manifestLines(): Generator<string> {
          for (const { id, at } of mergeFolds(sources)) {
            let line: string;
            if (needsRefold(at)) {
              const e = fold.entryOf(id, current);
              if (e === null || e === 'unresolved') continue; // no intent: nothing was written
              line = JSON.stringify(e satisfies ManifestEntry);
              if (e.changed) changed++;
            } else {
              line = at[0]!.line;
              if (changedInLine(line)) changed++;
            }
            memos++;
            yield line;
          }
        }
        writeLinesAtomically(location, manifestLines(), hash);
        const sha256 = hash.digest('hex');
        writeChecksumFile(location, sha256);
        return { location, sha256, memos, changed, readAfterKill: unresolved.length };
      });
    },
  };
}

export type ManifestActivities = ReturnType<typeof createManifestActivities>;
