// Who may approve (issue 14 point 4): the upgrade's allow-list and two-person rule (src/shared/approvals.ts), checked
// for every approveStep before anything else, so a refusal always names the rule it breaks. Pure.
import { sameOperator, type Approvals } from '../../shared/approvals';

/** The upgrade's approval policy and who started it (the start input's `by`). */
export type ApproverPolicy = Approvals & { startedBy?: string };

/** Why `by` may not approve this upgrade, or undefined if they may. */
export function approverRefusal(by: string, policy: ApproverPolicy | undefined): string | undefined {
  if (!policy) return undefined;
  if (policy.approvers && !policy.approvers.some((a) => sameOperator(a, by))) {
    return `approver allow-list: ${by} may not approve this upgrade (approvers: ${policy.approvers.join(', ')})`;
  }
  if (policy.twoPersonRule && policy.startedBy !== undefined && sameOperator(policy.startedBy, by)) {
    return `two-person rule: ${by} started this upgrade, so someone else must approve it`;
  }
  return undefined;
}
