// Custom search attributes: how the Web UI and `list` find "all upgrades waiting on Zuora support".
// Workflow-safe (no I/O): imported by workflows, the client and the dev-server launcher alike.
import { defineSearchAttributeKey } from '@temporalio/common';

export const IS_TENANT_ID = defineSearchAttributeKey('IsTenantId', 'KEYWORD');
export const IS_UPGRADE_PHASE = defineSearchAttributeKey('IsUpgradePhase', 'KEYWORD');
/** operator | zuora-support | nothing */
export const IS_WAITING_ON = defineSearchAttributeKey('IsWaitingOn', 'KEYWORD');

export const CUSTOM_SEARCH_ATTRIBUTES = [IS_TENANT_ID, IS_UPGRADE_PHASE, IS_WAITING_ON];

/** `--search-attribute Name=Keyword` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return CUSTOM_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}
