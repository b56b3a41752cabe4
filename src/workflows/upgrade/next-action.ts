// "Next:" in the Web UI checklist: the message that moves the upgrade on, as an operator types it in the `temporal`
// CLI or the Web UI's signal/update form. (Our `is-upgrade` CLI has its own: src/client/commands/human-steps.ts.)
import { FinalSyncQuestion, REQUIRED_STEP_DATA, type UpgradeStatus } from '../../shared/upgrade';

// In backticks: the markdown renderer would turn the quotes into typographic ones, and the JSON must copy as is.
const REUSE = '`reuseExistingIds { "by": "…", "accountId": "…", "environmentId": "…" }`';

export function nextAction(s: UpgradeStatus): string | null {
  if (s.paused) return '`resume { "by": "…" }`';
  const c = s.steps.find((x) => x.id === s.currentStep);
  if (!c) return null;
  const at = `"stepId": "${c.id}", "by": "…"`;
  if (c.state === 'failed') {
    return `\`retryStep { ${at} }\` once the cause is fixed, or \`skipStep { ${at}, "reason": "…" }\``;
  }
  if (c.state !== 'waiting') return null;
  let text: string;
  switch (c.id) {
    case 'prepare.final-credit-memo-sync':
      text =
        c.data.question === FinalSyncQuestion.whichSyncs
          ? `the syncs the tenant had enabled: \`completeStep { ${at}, "data": { "standard": true, "negativeBalance": false } }\`` +
            ` (true/false each), or fix the schedule and \`retryStep { ${at} }\``
          : `apply the listed memos in NetSuite and \`retryStep { ${at} }\`, or go on without them: ` +
            `\`completeStep { ${at} }\``;
      break;
    case 'prepare.verify-zuora-synced':
      text = `sync what it lists to NetSuite, then \`retryStep { ${at} }\``;
      break;
    case 'prepare.readiness-preflight':
      text =
        `fix what it lists, then \`retryStep { ${at} }\`; or leave a row as it is: ` +
        '`acknowledgeReadiness { "by": "…", "row": "…", "reason": "…" }`';
      break;
    case 'enable-invoice-settlement':
      text = 'once Zuora has enabled Invoice Settlement: `invoiceSettlementEnabled { "by": "…" }`';
      break;
    case 'migrate.credit-memos':
      text = `read the dry-run counts, then \`approveStep { ${at} }\``;
      break;
    case 'connector.provisioning-ids':
      text = 'when Zuora answers: `provisioningIdsReceived { "by": "…", "accountId": "…", "environmentId": "…" }`';
      break;
    case 'connector.existing-ids':
      text = `put the existing instance's ids in the new instance's details, then: ${REUSE}`;
      break;
    default: {
      const need = REQUIRED_STEP_DATA[c.id];
      text = `\`completeStep { ${at}${need ? `, "data": { "${need.key}": "…" }` : ''} }\``;
    }
  }
  if (s.connectorPath === null && (c.id === 'connector.support-ticket' || c.id === 'connector.provisioning-ids')) {
    text += ` — or re-use the AccountId and EnvironmentId of an existing instance instead: ${REUSE}`;
  }
  return text;
}
