// Text rendering for the terminal: plain tables, the checklist, the migration progress bar. No colours, so the
// output reads the same in a log file, a CI job or a pipe. What operators or outside systems wrote (who, reasons,
// notes, errors, data) goes through escapeTerminal: an escape sequence or a newline is shown, never interpreted.
import { escapeTerminal } from '../shared/escape';
import { describeTransferCounts, type MigrationProgress, type TransferCount } from '../shared/migration';
import { READINESS_STEP, describeReadiness } from '../shared/readiness';
import type { StepStatus, UpgradeStatus } from '../shared/upgrade';
import { nextCommandFor } from './commands/human-steps';

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const MARK: Record<StepStatus['state'], string> = {
  pending: '[ ]',
  running: '[~]',
  waiting: '[?]',
  done: '[x]',
  failed: '[!]',
  skipped: '[-]',
};

/** "2026-01-31 14:02:07Z": short, sortable, unambiguous. */
export function when(iso: string | undefined | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function clip(text: string, max: number): string {
  const one = escapeTerminal(text).replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function detailOf(s: StepStatus): string {
  if (s.error) return `error: ${s.error}`;
  // A done step's note may be left from an earlier attempt (e.g. a claim not confirmed): its data says how it ended.
  if (s.note && (s.state !== 'done' || Object.keys(s.data).length === 0)) return s.note;
  return Object.entries(s.data)
    .map(([k, v]) => {
      if (v === null || typeof v !== 'object') return `${k}=${String(v)}`;
      // e.g. step 2's { itemAdjustments: { count, listed } }: the count and the first few listed.
      const o = v as { count?: unknown; listed?: unknown };
      if (typeof o.count !== 'number') return k === 'open' && Array.isArray(v) ? `open rows=${v.length}` : '';
      const listed = Array.isArray(o.listed) && o.listed.length > 0 ? ` (${o.listed.slice(0, 3).join(', ')}…)` : '';
      return `${k}=${o.count}${o.count > 0 ? listed : ''}`;
    })
    .filter(Boolean)
    .join(' ');
}

const CONNECTOR_PATH_TEXT: Record<string, string> = {
  'support-ticket': 'support ticket (Zuora provisioning sends new ids)',
  'reuse-existing-ids': "re-using an existing instance's AccountId and EnvironmentId, then a new Zuora OAuth client",
  null: 'not chosen yet (support ticket, unless `is-upgrade reuse-ids` comes first)',
};

export function renderChecklist(s: UpgradeStatus, closedAs?: string): string {
  const head = [
    `Invoice Settlement upgrade of tenant ${s.tenantId} (${s.workflowId})${s.dryRun ? ' — REHEARSAL (dry run)' : ''}`,
    `Phase: ${s.phase}   Waiting on: ${s.waitingOn}   Started: ${when(s.startedAt)}` +
      (s.finishedAt ? `   Finished: ${when(s.finishedAt)}` : '') +
      (closedAs && closedAs !== 'RUNNING' ? `   Workflow: ${closedAs}` : ''),
  ];
  if (s.connectorPath !== undefined) head.push(`Connector path: ${CONNECTOR_PATH_TEXT[String(s.connectorPath)]}`);
  if (s.paused) {
    head.push(`PAUSED by ${clip(s.paused.by, 200)} at ${when(s.paused.at)}: ${clip(s.paused.reason, 1_000)}`);
  }
  if (s.migration.paused) {
    const p = s.migration.paused;
    head.push(
      `MIGRATION PAUSED by ${p.source === 'breaker' ? 'its breaker' : clip(p.by, 200)} at ${when(p.at)}: ` +
        `${clip(p.reason, 1_000)} — \`is-upgrade resume-migration --tenant ${s.tenantId}\` goes on`,
    );
  }
  const rows = s.steps.map((st, i) => [
    MARK[st.state],
    String(i + 1),
    st.id,
    st.state,
    clip(st.by ?? '', 200),
    when(st.finishedAt ?? st.startedAt),
    clip(detailOf(st), 90),
  ]);
  const out = [...head, '', table(['', '#', 'step', 'state', 'by', 'when', 'detail'], rows)];
  const byTransfer = (c?: TransferCount[]) =>
    c ? `\n  By Transferred To Accounting: ${describeTransferCounts(c)}` : '';
  if (s.migration.dryRun) {
    const sample = s.migration.dryRun.sample ? ` Sample: ${clip(s.migration.dryRun.sample, 200)}` : '';
    out.push(
      '',
      `Migration dry run: ${s.migration.dryRun.found} credit memo(s) to update.${sample}` +
        byTransfer(s.migration.dryRun.byTransferredToAccounting),
    );
  }
  if (s.migration.result) {
    const m = s.migration.result;
    out.push(
      `Migration: ${m.updated} updated, ${m.failed} refused, ${m.remaining} remaining` +
        `${m.verified ? ' (verified)' : ''}${m.failuresReport ? `; failures: ${clip(m.failuresReport, 500)}` : ''}.` +
        byTransfer(m.byTransferredToAccounting) +
        (m.manifest
          ? `\n  Manifest: ${clip(m.manifest.location, 500)} (${m.manifest.changed} changed; sha256 ${m.manifest.sha256})`
          : ''),
    );
  }
  if (s.migration.canary) {
    const c = s.migration.canary;
    out.push(
      `Migration canary: ${c.updated} updated, ${c.refused} refused of the first ${c.limit}` +
        (c.manifest ? `; manifest: ${clip(c.manifest.location, 500)}` : ''),
    );
  }
  if (s.migration.skipped) {
    const k = s.migration.skipped;
    out.push(
      '',
      `WARNING: migration skipped by ${clip(k.by, 200)} (${clip(k.reason, 1_000)}; acknowledged: ${k.acknowledged ?? 'not asked'}): ${k.risk}.`,
    );
  }
  const readiness = s.steps.find((x) => x.id === READINESS_STEP);
  if (readiness?.data.rows !== undefined) {
    const r = describeReadiness(readiness.data);
    out.push('', `Readiness checklist (report: ${clip(String(readiness.data.report), 300)}):`);
    for (const o of r.open) out.push(`  open: ${o.row}: ${o.count} (${clip(o.listed, 300)})`);
    for (const a of r.acknowledged) out.push(`  acknowledged: ${a.row} by ${clip(a.by, 200)}: ${clip(a.reason, 300)}`);
    if (r.open.length === 0 && r.acknowledged.length === 0) out.push('  every row clean');
  }
  for (const r of s.openReminders) out.push(`Open ${r.kind} for ${r.stepId}: ${r.count}×, last ${when(r.at)}`);
  const current = s.steps.find((x) => x.id === s.currentStep);
  const next = current
    ? nextCommandFor(current.id, current.state, s.tenantId, s.connectorPath, current.data.question)
    : null;
  if (s.paused) out.push('', `Next: is-upgrade resume --tenant ${s.tenantId}`);
  else if (next) out.push('', `Next: ${next}`);
  else if (s.currentStep === null) out.push('', 'All steps finished.');
  return out.join('\n');
}

/** `[##########----------]  50%  500/1000 memos  25.0/s  ETA 20s  pass 1  updating` */
export function progressBar(p: MigrationProgress, width = 30): string {
  const total = p.passRows > 0 ? p.passRows : p.totalFound;
  const done = p.passRows > 0 ? p.passRowsDone : p.updated + p.failed;
  const ratio = total > 0 ? Math.min(1, done / total) : p.phase === 'done' ? 1 : 0;
  const filled = Math.round(ratio * width);
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    `${String(Math.round(ratio * 100)).padStart(3)}%`,
    `${done}/${total} memos`,
    `${p.rate.toFixed(1)}/s`,
    p.etaSeconds !== null ? `ETA ${Math.ceil(p.etaSeconds)}s${p.control ? ' (all passes)' : ''}` : '',
    `pass ${Math.max(1, p.passes)}`,
    p.phase,
    p.control ? `concurrency ${p.control.concurrency}/${p.control.concurrencyLimit}` : '',
    p.control?.breakerOff ? 'breaker off' : '',
    p.failed > 0 ? `${p.failed} refused` : '',
    p.dryRun ? '(dry run)' : '',
  ];
  const line = parts.filter(Boolean).join('  ');
  const paused = p.control?.paused;
  if (!paused) return line;
  const who = paused.source === 'breaker' ? 'its breaker' : clip(paused.by, 200);
  return `${line}\n  PAUSED by ${who} at ${when(paused.at)}: ${clip(paused.reason, 500)}`;
}
