// Every runbook step (STEPS in shared/upgrade.ts) and what runs it. Manual steps wait for the operator's
// completeStep; the others are in the files beside this one, one per part of the runbook.
import type { StepId } from '../../../shared/upgrade';
import type { StepBody } from '../context';
import { existingIds, newOAuthClient, provisioningIds, supportTicket } from './connector';
import { enableInvoiceSettlement, migrateCreditMemosStep } from './migrate';
import { paymentCatchUpSync, switchSchedules } from './payments';
import { finalCreditMemoSync, verifyZuoraSynced } from './prepare';
import { readinessPreflight } from './readiness';

const manual: StepBody = (up, s) => up.run.manual(s);

export const STEP_BODIES: Record<StepId, StepBody> = {
  'prepare.final-credit-memo-sync': finalCreditMemoSync,
  'prepare.verify-zuora-synced': verifyZuoraSynced,
  'prepare.freeze-negative-invoices': manual,
  'prepare.readiness-preflight': readinessPreflight,
  'enable-invoice-settlement': enableInvoiceSettlement,
  'migrate.credit-memos': migrateCreditMemosStep,
  'connector.oauth-client': manual,
  'connector.new-instance': manual,
  'connector.instance-credentials': manual,
  'connector.support-ticket': supportTicket,
  'connector.provisioning-ids': provisioningIds,
  'connector.existing-ids': existingIds,
  'connector.new-oauth-client': newOAuthClient,
  'connector.sync-preferences': manual,
  'connector.retire-old': manual,
  'payments.zuora-sync-updates-default': manual,
  'payments.catch-up-sync': paymentCatchUpSync,
  'schedules.switch': switchSchedules,
};
