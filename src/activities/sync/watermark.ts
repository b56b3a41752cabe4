// The watermark: where the previous run left off, and NetSuite's current high-water mark of lastmodifieddate.
//
// The watermark is kept in the result of the previous *completed* run of the same workflow type for the tenant,
// found through Temporal visibility (`WorkflowType`, `ExecutionStatus`, search attribute `IsTenantId`). Dry runs are
// passed over. Nothing else holds state: a failed or terminated run leaves the watermark where it was, a backfill or
// the upgrade's final run counts like any other run, and a lost history (retention) only means a run reads from the
// cutover again — safe, because every write is looked up first.
import { log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { NetSuiteClient } from '../../netsuite/client';
import { FailureType } from '../../shared/failures';
import { IS_TENANT_ID } from '../../shared/search-attributes';
import { WATERMARK_PATTERN, syncResultWatermarkSchema, type UndecidedSet } from '../../shared/sync';

const NS_TIMESTAMP_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS'`;

/** What the watermark look-up needs of the Temporal client (visibility and results). */
export type WorkflowsApi = { workflow: Pick<Client['workflow'], 'list' | 'getHandle'> };

export async function previousWatermark(
  temporal: WorkflowsApi,
  workflowType: string,
  tenantId: string,
): Promise<{
  watermark: string | null;
  workflowId: string;
  undecided: UndecidedSet | undefined;
  /** When that run closed (ISO): the watermark's age (docs/web-ui.md §4). */
  closedAt: string | null;
} | null> {
  const query =
    `WorkflowType = '${workflowType}' AND ExecutionStatus = 'Completed' AND ` + `${IS_TENANT_ID.name} = '${tenantId}'`;
  const runs: Array<{ workflowId: string; runId: string; closedAt: number }> = [];
  // Visibility lists the most recently closed first; a few pages' worth is sorted again to be independent of that.
  for await (const wf of temporal.workflow.list({ query, pageSize: 50 })) {
    runs.push({ workflowId: wf.workflowId, runId: wf.runId, closedAt: wf.closeTime?.getTime() ?? 0 });
    if (runs.length >= 50) break;
  }
  runs.sort((a, b) => b.closedAt - a.closedAt);
  for (const run of runs.slice(0, 10)) {
    let result: unknown;
    try {
      result = await temporal.workflow.getHandle(run.workflowId, run.runId, { followRuns: false }).result();
    } catch (err) {
      log.warn('previous sync run result not readable', { workflowId: run.workflowId, error: (err as Error).message });
      continue;
    }
    const parsed = syncResultWatermarkSchema.safeParse(result);
    if (!parsed.success || parsed.data.dryRun) continue;
    return {
      watermark: parsed.data.newWatermark,
      workflowId: run.workflowId,
      undecided: parsed.data.undecided,
      closedAt: run.closedAt > 0 ? new Date(run.closedAt).toISOString() : null,
    };
  }
  return null;
}

export async function highestLastModified(
  netsuite: Pick<NetSuiteClient, 'suiteql'>,
  type: 'CustCred' | 'CustPymt',
): Promise<string | null> {
  const page = await netsuite.suiteql(
    `SELECT TO_CHAR(MAX(t.lastmodifieddate), ${NS_TIMESTAMP_FORMAT}) AS mark FROM transaction t WHERE t.type = '${type}'`,
    { limit: 1 },
  );
  const mark = z.object({ mark: z.string().regex(WATERMARK_PATTERN).optional() }).safeParse(page.items[0] ?? {});
  if (!mark.success)
    throw ApplicationFailure.nonRetryable(
      `NetSuite answered the highest lastmodifieddate of ${type} in an unexpected shape: ${mark.error.message}`,
      FailureType.NetSuiteResponseShapeError,
    );
  return mark.data.mark ?? null;
}
