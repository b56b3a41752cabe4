// The upgrade in words for its two destinations in workflow code: the checklist as markdown for the Temporal Web
// UI's Current Details (setCurrentDetails), and the summary of the "done" notification. (The `is-upgrade status`
// terminal checklist is src/client/render.ts's renderChecklist.) Everything an
// operator or an outside system wrote (who, reasons, notes, errors, audit details) is clipped and escaped
// (shared/escape.ts), so a message cannot add a row, a heading, a link, an image or HTML (issue 16 point 4), and the
// document stays under MAX_DETAILS_BYTES whatever was sent.
import { escapeMarkdown } from '../../shared/escape';
import { describeTransferCounts, type TransferCount } from '../../shared/migration';
import { READINESS_STEP, describeReadiness } from '../../shared/readiness';
import { clip, utf8Bytes } from '../../shared/text';
import type { StepStatus, UpgradeStatus } from '../../shared/upgrade';
import { MAX_DETAILS_BYTES } from '../../shared/upgrade-bounds';
import { nextAction } from './next-action';

const STATE_ICON: Record<StepStatus['state'], string> = {
  pending: '⬜',
  running: '🔄',
  waiting: '⏳',
  done: '✅',
  failed: '❌',
  skipped: '⏭️',
};

const CONNECTOR_PATH_LABEL: Record<string, string> = {
  'support-ticket': 'support ticket (Zuora provisioning sends new ids)',
  'reuse-existing-ids': 're-using the AccountId and EnvironmentId of an existing instance, then a new Zuora OAuth',
  null: 'not chosen yet (support ticket, unless reuseExistingIds comes first)',
};

/** Free text in the document: the first 200 characters (the status has it all), escaped. */
const md = (text: string | undefined | null): string => escapeMarkdown(clip(text ?? '', 200));

export function renderUpgradeMarkdown(s: UpgradeStatus): string {
  const lines = [
    `## Invoice Settlement upgrade — tenant \`${s.tenantId}\`${s.dryRun ? ' (rehearsal)' : ''}`,
    '',
    `**Phase:** ${s.phase} · **waiting on:** ${s.waitingOn}${s.paused ? ` · **PAUSED** by ${md(s.paused.by)}: ${md(s.paused.reason)}` : ''}`,
    '',
    `**Connector path:** ${CONNECTOR_PATH_LABEL[String(s.connectorPath)] ?? ''}`,
    ...(nextAction(s) ? ['', `**Next:** ${nextAction(s)}`] : []),
    '',
    '| | step | state | who / when |',
    '|---|---|---|---|',
    ...s.steps.map(
      (st, i) =>
        `| ${STATE_ICON[st.state]} | ${i + 1}. \`${st.id}\` ${st.title} | ${st.state}${st.error ? `: ${md(st.error)}` : ''}${st.note ? ` — ${md(st.note)}` : ''} | ${md(st.by)} ${st.finishedAt ?? st.startedAt ?? ''} |`,
    ),
  ];
  const byTransfer = (c?: TransferCount[]) => (c ? ` By Transferred To Accounting: ${describeTransferCounts(c)}.` : '');
  if (s.migration.dryRun)
    lines.push(
      '',
      `Migration dry run: ${s.migration.dryRun.found} memo(s) to update.${byTransfer(s.migration.dryRun.byTransferredToAccounting)}`,
    );
  if (s.migration.canary) {
    const c = s.migration.canary;
    lines.push(
      `Migration canary: ${c.updated} updated, ${c.refused} refused of the first ${c.limit}.` +
        (c.manifest ? ` Manifest: \`${md(c.manifest.location)}\`.` : ''),
    );
  }
  if (s.migration.paused) {
    const p = s.migration.paused;
    lines.push(
      '',
      `⏸️ **Migration paused** by ${p.source === 'breaker' ? 'its breaker' : md(p.by)} at ${p.at}: ${md(p.reason)} — ` +
        `send \`resume { "by": "…" }\` to \`${md(p.migration)}\` (or \`is-upgrade resume-migration\`).`,
    );
  }
  if (s.migration.result) {
    const m = s.migration.result;
    lines.push(
      `Migration: ${m.updated} updated, ${m.failed} refused, ${m.remaining} remaining${m.verified ? ' (verified)' : ''}.` +
        byTransfer(m.byTransferredToAccounting) +
        (m.manifest ? ` Manifest: \`${md(m.manifest.location)}\` (sha256 ${m.manifest.sha256}).` : ''),
    );
  }
  if (s.migration.skipped) {
    const k = s.migration.skipped;
    lines.push(
      '',
      `⚠️ **Migration skipped** by ${md(k.by)} (${md(k.reason)}; acknowledged: ${k.acknowledged ?? 'not asked'}): ${k.risk}.`,
    );
  }
  const readiness = s.steps.find((x) => x.id === READINESS_STEP);
  if (readiness?.data.rows !== undefined && readiness.state !== 'done') {
    const r = describeReadiness(readiness.data);
    lines.push(
      '',
      '**Readiness checklist**',
      ...r.open.map((o) => `- open: \`${o.row}\` ${o.count} (${md(o.listed)})`),
      ...r.acknowledged.map((a) => `- acknowledged: \`${a.row}\` by ${md(a.by)}: ${md(a.reason)}`),
    );
  }
  if (s.openReminders.length > 0) {
    lines.push('', ...s.openReminders.map((r) => `- ${r.kind} for \`${r.stepId}\` (${r.count}×, last ${r.at})`));
  }
  const recent = s.audit.slice(-5);
  if (recent.length > 0) {
    lines.push(
      '',
      '**Recent messages**',
      ...recent.map((a) => `- ${a.at} ${a.message}${a.by ? ` by ${md(a.by)}` : ''}: ${a.outcome} — ${md(a.detail)}`),
    );
  }
  // The parts above are bounded (at most 17 steps, 5 messages, 200 characters each); this keeps the promise regardless.
  while (lines.length > 1 && utf8Bytes(lines.join('\n')) > MAX_DETAILS_BYTES) lines.pop();
  return lines.join('\n');
}

/** The text of the "done" notification. */
export function renderUpgradeSummary(s: UpgradeStatus): string {
  const skippedSteps = s.steps.filter((x) => x.state === 'skipped');
  return [
    `All ${s.steps.length} steps finished (${skippedSteps.length} skipped${skippedSteps.length ? `: ${skippedSteps.map((x) => x.id).join(', ')}` : ''}).`,
    s.migration.result ? `Migrated credit memos updated: ${s.migration.result.updated}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
