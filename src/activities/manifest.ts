// The migration's manifest on disk: a write-ahead part file per chunk attempt (the intent flushed before each PUT,
// then its outcome; group-committed, ./group-commit-lines.ts), and the consolidation into one file per migration
// with its sha256 beside it.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { activityInfo, heartbeat } from '@temporalio/activity';
import { RequestGate } from '../http/request-gate';
import { GroupCommitLines, type LinesIo } from './group-commit-lines';
import type { ReportStore } from '../reports/report-store';
import {
  MANIFEST_FILE,
  checksumFileOf,
  foldedManifest,
  manifestPartLineSchema,
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

/** The manifest part of one chunk attempt. */
export class ManifestPart {
  private readonly lines: GroupCommitLines;
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
    return this.lines.appendDurable(
      memos.map((m): ManifestPartLine => ({
        k: 'intent',
        id: m.id,
        number: m.number ?? null,
        before: m.before,
        after: 'Yes',
        at,
        workflowId,
        runId,
        pass,
      })),
    );
  }

  /** After the PUT: what Zuora said of each memo (a retryable refusal is recorded too; its retry writes again). */
  outcome(res: BulkCreditMemoResult, sent: readonly { id: string }[]): void {
    const at = new Date().toISOString();
    this.lines.append([
      ...res.updated.map((m): ManifestPartLine => ({ k: 'updated', id: m.id, at })),
      ...res.failed.map((f): ManifestPartLine => ({
        k: 'refused',
        id: f.id || sent[f.objectIndex]?.id || '',
        at,
        code: f.code,
        message: f.message,
      })),
    ]);
  }

  /** Writes the outcomes still buffered; rejects if a write failed. */
  close(): Promise<void> {
    return this.lines.close();
  }
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
  writeFileSync(checksumFileOf(path), `${sha256}  ${basename(path)}\n`);
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
        const lines: ManifestPartLine[] = [];
        for (const file of reports.list(reports.dirFor(key), MANIFEST_PART)) {
          for (const raw of reports.readJsonLines(file)) lines.push(manifestPartLineSchema.parse(raw));
        }
        const folded = foldedManifest(lines);
        const current = new Map<string, string | null>();
        const gate = new RequestGate({ maxInFlight: 4 });
        await Promise.all(
          folded.unresolved.map((id) =>
            gate.run(async () => {
              current.set(id, (await client.getCreditMemo(id)).transferredToAccounting ?? null);
              heartbeat();
            }),
          ),
        );
        const { entries } = folded.entries(current);
        const location = reports.pathFor(key, MANIFEST_FILE);
        const sha256 = writeWithChecksum(reports, location, entries);
        const changed = entries.filter((e) => e.changed).length;
        return { location, sha256, memos: entries.length, changed, readAfterKill: folded.unresolved.length };
      });
    },
  };
}

export type ManifestActivities = ReturnType<typeof createManifestActivities>;
