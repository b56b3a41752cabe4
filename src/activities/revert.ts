// Activities of revertCreditMemoMigration: the gate (connector steps not started), the manifest's checksum, the
// chunks that set memos back (checkpointed in heartbeats, write-ahead like the migration), and the report.
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { RequestGate } from '../http/request-gate';
import type { ReportStore } from '../reports/report-store';
import { FailureType } from '../shared/failures';
import {
  MANIFEST_FILE,
  REVERT_AUDIT_FILE,
  REVERT_OUTCOMES,
  REVERT_REPORT_FILE,
  connectorStepsStarted,
  manifestEntrySchema,
  migrationManifestKey,
  revertActionOf,
  zeroRevertCounts,
  type ManifestEntry,
  type RevertCounts,
  type RevertOutcome,
  type TransferValue,
} from '../shared/manifest';
import { statusQuery, upgradeWorkflowId } from '../shared/upgrade';
import type { ZuoraClient } from '../zuora/client';
import { assertTenant, trackIdOf, whileHeartbeating, withActivityFailures, workflowIdOf } from './common';
import { SyncLines, recordedSha256, sha256Of, writeWithChecksum } from './manifest';

/** Zuora's bulk update takes at most 50 memos a request (docs/zuora.md §3). */
const BULK_LIMIT = 50;
const ITEM_RETRIES = 3;
const REVERT_PART = /^credit-memo-revert-part-(.+)-rows(\d+)-attempt(\d+)\.jsonl$/;

const checkpointSchema = z.object({
  doneIndex: z.number().int().nonnegative(),
  counts: z.record(z.string(), z.number()),
});

/** Lines of a revert part: `intent` flushed before the PUT (a kill after it is then read as set back), outcomes. */
type RevertLine =
  | { k: 'intent'; id: string; to: string; at: string }
  | { k: RevertOutcome; id: string; number: string | null; before: string | null; current: string | null; at: string }
  | {
      k: 'refused';
      id: string;
      number: string | null;
      before: string | null;
      current: string | null;
      at: string;
      code: string;
      message: string;
    };

export type RevertDeps = { zuora: ZuoraClient; reports: ReportStore; temporal: Client; tenantId: string };

/** The manifest's memos the migration changed, in file order, [from, to). Streamed: memory stays flat. */
async function* changedEntries(path: string, from = 0, to = Number.MAX_SAFE_INTEGER): AsyncGenerator<ManifestEntry> {
  let index = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const e = manifestEntrySchema.parse(JSON.parse(line));
    if (!e.changed) continue;
    const i = index++;
    if (i < from) continue;
    if (i >= to) break;
    yield e;
  }
}

export function createRevertActivities({ zuora, reports, temporal, tenantId }: RevertDeps) {
  const manifestPathOf = (key: string | undefined) =>
    reports.pathFor(key ?? migrationManifestKey(tenantId), MANIFEST_FILE);

  return {
    /** Whether the upgrade's connector steps have started (its status query); no upgrade: not started. */
    async revertGate(input: { tenantId: string }): Promise<{ upgrade: boolean; connectorStarted: string | null }> {
      assertTenant(tenantId, input.tenantId);
      try {
        const status = await temporal.workflow.getHandle(upgradeWorkflowId(tenantId)).query(statusQuery);
        const s = connectorStepsStarted(status);
        return { upgrade: true, connectorStarted: s ? `${s.id} is ${s.state}` : null };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { upgrade: false, connectorStarted: null };
        throw err;
      }
    },

    /** The manifest's checksum against its `.sha256` (and the one the operator confirmed); the memos to set back. */
    async verifyManifest(input: {
      tenantId: string;
      manifestKey?: string;
      expectedSha256?: string;
      audit: Record<string, unknown>;
    }): Promise<{ location: string; sha256: string; changed: number; audit: string }> {
      assertTenant(tenantId, input.tenantId);
      const location = manifestPathOf(input.manifestKey);
      if (!existsSync(location)) {
        throw ApplicationFailure.nonRetryable(
          `No manifest at ${location}: the migration has not finished writing one (runs from before the manifest ` +
            'have none, and cannot be reverted by this command)',
          FailureType.ManifestInvalid,
        );
      }
      const sha256 = sha256Of(location);
      const recorded = recordedSha256(location);
      if (recorded !== sha256) {
        throw ApplicationFailure.nonRetryable(
          `Manifest ${location} does not match its checksum (${recorded ?? 'missing'} recorded, ${sha256} now): ` +
            'it was changed or damaged since the migration wrote it; nothing was set back',
          FailureType.ManifestInvalid,
        );
      }
      if (input.expectedSha256 !== undefined && input.expectedSha256 !== sha256) {
        throw ApplicationFailure.nonRetryable(
          `Manifest ${location} is not the one confirmed (sha256 ${input.expectedSha256}, now ${sha256})`,
          FailureType.ManifestInvalid,
        );
      }
      let changed = 0;
      for await (const _ of changedEntries(location)) changed++;
      const info = activityInfo();
      const audit = reports.pathFor(workflowIdOf(info), REVERT_AUDIT_FILE);
      const auditLines = new SyncLines(audit);
      auditLines.append(
        [
          {
            at: new Date().toISOString(),
            runId: info.workflowExecution?.runId,
            manifest: location,
            sha256,
            changed,
            ...input.audit,
          },
        ],
        true,
      );
      auditLines.close();
      return { location, sha256, changed, audit };
    },

    /**
     * Manifest memos [startIndex, endIndex) (of those changed): each read, then set back, left, or reported. The
     * heartbeat carries the first index not yet done; a retry (killed worker) resumes there, and what the dead
     * attempt wrote after it reads as `already` and is not written again.
     */
    async revertCreditMemoRows(input: {
      tenantId: string;
      manifest: string;
      dryRun: boolean;
      startIndex: number;
      endIndex: number;
      concurrencyBudget: number;
    }): Promise<{ counts: RevertCounts }> {
      assertTenant(tenantId, input.tenantId);
      let latest: unknown = activityInfo().heartbeatDetails;
      const beat = (d: z.infer<typeof checkpointSchema>) => {
        latest = d;
        heartbeat(d);
      };
      return withActivityFailures(() =>
        whileHeartbeating(
          async () => {
            const info = activityInfo();
            const client = zuora.withTrackId(trackIdOf(info));
            const signal = cancellationSignal();
            const cp = checkpointSchema.safeParse(info.heartbeatDetails);
            let doneIndex = cp.success ? cp.data.doneIndex : input.startIndex;
            const counts = { ...zeroRevertCounts(), ...(cp.success ? cp.data.counts : {}) } as RevertCounts;
            beat({ doneIndex, counts });
            const part = new SyncLines(
              reports.pathFor(
                workflowIdOf(info),
                `credit-memo-revert-part-${info.workflowExecution?.runId ?? 'standalone'}-rows${input.startIndex}-attempt${info.attempt}.jsonl`,
              ),
            );
            const gate = new RequestGate({ maxInFlight: input.concurrencyBudget });
            const handle = async (batch: ManifestEntry[]) => {
              const now = () => new Date().toISOString();
              const current = await Promise.all(
                batch.map((e) =>
                  gate.run(async () => (await client.getCreditMemo(e.id)).transferredToAccounting ?? null),
                ),
              );
              const lines: RevertLine[] = [];
              let toSet: { e: ManifestEntry; current: string | null }[] = [];
              batch.forEach((e, i) => {
                const action = revertActionOf(e.before, current[i]!);
                const base = { id: e.id, number: e.number, before: e.before, current: current[i]!, at: now() };
                if (action !== 'set-back') lines.push({ k: action, ...base });
                else if (input.dryRun) lines.push({ k: 'would-set-back', ...base });
                else toSet.push({ e, current: current[i]! });
              });
              part.append(lines);
              for (const l of lines) counts[l.k as RevertOutcome]++;
              for (let attempt = 0; toSet.length > 0; attempt++) {
                part.append(
                  toSet.map(({ e }): RevertLine => ({ k: 'intent', id: e.id, to: e.before!, at: now() })),
                  true,
                );
                const sent = toSet;
                const res = await gate.run(() =>
                  client.bulkUpdateCreditMemos(
                    sent.map(({ e }) => ({ id: e.id, transferredToAccounting: e.before as TransferValue })),
                  ),
                );
                const again: typeof toSet = [];
                const out: RevertLine[] = [];
                for (const m of res.updated) {
                  const s = sent.find((x) => x.e.id === m.id);
                  if (!s) continue;
                  out.push({
                    k: 'set-back',
                    id: s.e.id,
                    number: s.e.number,
                    before: s.e.before,
                    current: s.current,
                    at: now(),
                  });
                }
                for (const f of res.failed) {
                  const s = sent.find((x) => x.e.id === f.id) ?? sent[f.objectIndex];
                  if (!s) continue;
                  if (f.retryable && attempt < ITEM_RETRIES) again.push(s);
                  else
                    out.push({
                      k: 'refused',
                      id: s.e.id,
                      number: s.e.number,
                      before: s.e.before,
                      current: s.current,
                      at: now(),
                      code: f.code,
                      message: f.message,
                    });
                }
                part.append(out);
                for (const l of out) counts[l.k as RevertOutcome]++;
                toSet = again;
              }
            };
            try {
              let batch: ManifestEntry[] = [];
              for await (const e of changedEntries(input.manifest, doneIndex, input.endIndex)) {
                batch.push(e);
                if (batch.length < BULK_LIMIT) continue;
                await handle(batch);
                doneIndex += batch.length;
                batch = [];
                beat({ doneIndex, counts });
                if (signal.aborted) throw ApplicationFailure.retryable('cancelled', FailureType.Cancelled);
              }
              if (batch.length > 0) await handle(batch);
            } finally {
              part.close();
            }
            return { counts };
          },
          () => latest,
        ),
      );
    },

    /**
     * The revert report of this run: one line per memo, its last outcome — except that a memo whose set-back was
     * written ahead and later read as already at its before-value was set back by this run (the outcome was lost).
     */
    async consolidateRevertReport(input: { tenantId: string }): Promise<{ location: string; counts: RevertCounts }> {
      assertTenant(tenantId, input.tenantId);
      const info = activityInfo();
      const runId = info.workflowExecution?.runId ?? 'standalone';
      const parts = reports
        .list(reports.dirFor(workflowIdOf(info)), REVERT_PART)
        .map((f) => ({ f, m: REVERT_PART.exec(f.split('/').pop()!)! }))
        .filter((p) => p.m[1] === runId)
        .sort((a, b) => Number(a.m[2]) - Number(b.m[2]) || Number(a.m[3]) - Number(b.m[3]));
      const last = new Map<string, Record<string, unknown>>();
      const intended = new Set<string>();
      for (const { f } of parts) {
        for (const row of reports.readJsonLines(f)) {
          const id = String(row.id);
          if (row.k === 'intent') intended.add(id);
          else if (last.get(id)?.k !== 'set-back') last.set(id, row);
        }
      }
      const counts = zeroRevertCounts();
      const rows = [...last.values()].map((r) => {
        const outcome: RevertOutcome =
          r.k === 'already' && intended.has(String(r.id)) ? 'set-back' : (r.k as RevertOutcome);
        if (REVERT_OUTCOMES.includes(outcome)) counts[outcome]++;
        const { k: _k, ...rest } = r;
        return { id: String(r.id), ...rest, outcome };
      });
      rows.sort((a, b) => a.id.localeCompare(b.id));
      const location = reports.pathFor(workflowIdOf(info), REVERT_REPORT_FILE);
      writeWithChecksum(reports, location, rows);
      return { location, counts };
    },
  };
}

export type RevertActivities = ReturnType<typeof createRevertActivities>;
