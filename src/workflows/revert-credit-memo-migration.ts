// revertCreditMemoMigration (is-upgrade-<tenant>-credit-memos-revert; `is-upgrade revert-migration`): sets the
// memos of the migration's manifest back to their Transferred To Accounting before, exactly those, idempotently.
// Refuses once the upgrade's connector steps have started (the new connector would sync what it sets back) unless
// forced with a reason. Checks the manifest's sha256 first. Chunks resume from their heartbeat after a crash.
import { proxyActivities } from '@temporalio/workflow';
import type { RevertActivities } from '../activities/revert';
import { revertInputSchema, zeroRevertCounts, type RevertInput, type RevertResult } from '../shared/manifest';
import { parseWorkflowInput } from './validation';

const { revertGate, verifyManifest, consolidateRevertReport } = proxyActivities<RevertActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 10 },
});

const chunkActivity = (heartbeatTimeoutSeconds: number) =>
  proxyActivities<RevertActivities>({
    startToCloseTimeout: '6h',
    heartbeatTimeout: `${heartbeatTimeoutSeconds}s`,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
  }).revertCreditMemoRows;

export async function revertCreditMemoMigration(rawInput: RevertInput): Promise<RevertResult> {
  const input = parseWorkflowInput(revertInputSchema, rawInput, 'revertCreditMemoMigration input');
  const { tenantId, dryRun } = input;
  const forced = input.force ? { by: input.by, reason: input.reason! } : null;
  const none = { tenantId, dryRun, forced, manifest: null, counts: zeroRevertCounts(), report: null, audit: null };

  const gate = await revertGate({ tenantId });
  if (gate.connectorStarted && !input.force) {
    return {
      ...none,
      refused:
        `the connector steps have started (${gate.connectorStarted}): the new connector would sync the memos set ` +
        'back. Revert anyway only with --force --reason "…"',
    };
  }
  const manifest = await verifyManifest({
    tenantId,
    ...(input.manifestKey ? { manifestKey: input.manifestKey } : {}),
    ...(input.expectedSha256 ? { expectedSha256: input.expectedSha256 } : {}),
    audit: {
      by: input.by,
      dryRun,
      force: input.force,
      reason: input.reason ?? null,
      connectorStarted: gate.connectorStarted,
    },
  });
  const revertRows = chunkActivity(input.heartbeatTimeoutSeconds);
  for (let start = 0; start < manifest.changed; start += input.chunkRows) {
    await revertRows({
      tenantId,
      manifest: manifest.location,
      dryRun,
      startIndex: start,
      endIndex: Math.min(manifest.changed, start + input.chunkRows),
      concurrencyBudget: input.concurrencyBudget,
    });
  }
  const report = await consolidateRevertReport({ tenantId });
  return {
    ...none,
    refused: null,
    manifest: { location: manifest.location, sha256: manifest.sha256, changed: manifest.changed },
    counts: report.counts,
    report: report.location,
    audit: manifest.audit,
  };
}
