// The two connector paths of the upgrade (docs/product.md; seeds 000 and 001) and the steps that came with them. Seed 000
// step 6: a support ticket with the old and new instance ids brings a new account id and environment id (days).
// Seed 001: a license has two permanent instances, so the tenant may instead re-use the AccountId and EnvironmentId
// of an existing instance; once the instance details are updated, a new Zuora OAuth client must be created.
// Pure functions on the upgrade's state: imported by the workflow (sandboxed), no I/O.
import { READINESS_STEP } from '../../shared/readiness';
import { STEPS, type ConnectorPath, type ReuseExistingIds, type StepId, type StepStatus } from '../../shared/upgrade';

/** The steps this change added; an upgrade started before it has none of them. */
export const STEPS_ADDED_WITH_CONNECTOR_PATHS: ReadonlySet<StepId> = new Set([
  'connector.instance-credentials',
  'connector.existing-ids',
  'connector.new-oauth-client',
]);

/** The steps each path needs and the other does not. */
const PATH_STEPS: Record<ConnectorPath, readonly StepId[]> = {
  'support-ticket': ['connector.support-ticket', 'connector.provisioning-ids'],
  'reuse-existing-ids': ['connector.existing-ids', 'connector.new-oauth-client'],
};

/** Why a step of the other path is skipped. */
export const NOT_NEEDED_NOTE: Record<ConnectorPath, string> = {
  'support-ticket': 'not needed: support-ticket path (new ids from Zuora)',
  'reuse-existing-ids': 'not needed: re-using existing ids',
};

/** The step list a new upgrade starts with: the whole catalogue, or the 14 steps of upgrades started before. */
export function initialSteps(
  withConnectorPaths: boolean,
  path: ConnectorPath | undefined,
  at: string,
  /** READINESS_PREFLIGHT_STEP (patches.ts): upgrades started before it have no readiness step. */
  withReadinessPreflight = false,
): StepStatus[] {
  const steps: StepStatus[] = STEPS.filter(
    (s) =>
      (withConnectorPaths || !STEPS_ADDED_WITH_CONNECTOR_PATHS.has(s.id)) &&
      (withReadinessPreflight || s.id !== READINESS_STEP),
  ).map((s) => ({ id: s.id, title: s.title, kind: s.kind, state: 'pending', data: {}, attempts: 0 }));
  if (withConnectorPaths && path) markPathTaken(steps, path, undefined, at);
  return steps;
}

/** Whether this upgrade has both paths (started after CONNECTOR_PATHS_PATCH). */
export const hasConnectorPaths = (steps: StepStatus[]) => steps.some((s) => s.id === 'connector.existing-ids');

/**
 * The path taken: the other path's steps that have not started (or wait) are skipped with a note saying why, so the
 * checklist shows the path. A step that already ran (e.g. the ticket was opened before the choice) stays as it is.
 */
export function markPathTaken(steps: StepStatus[], taken: ConnectorPath, by: string | undefined, at: string): void {
  const other: ConnectorPath = taken === 'support-ticket' ? 'reuse-existing-ids' : 'support-ticket';
  for (const s of steps) {
    if (!PATH_STEPS[other].includes(s.id) || (s.state !== 'pending' && s.state !== 'waiting')) continue;
    s.state = 'skipped';
    s.note = NOT_NEEDED_NOTE[taken];
    s.by = by;
    s.finishedAt = at;
  }
}

/** The path an upgrade is on: chosen, or null while the ticket path can still be left for the re-use path. */
export function connectorPathOf(steps: StepStatus[], chosen: ConnectorPath | undefined): ConnectorPath | null {
  if (!hasConnectorPaths(steps)) return 'support-ticket';
  return chosen ?? null;
}

export type IdsVerdict = { verdict: 'accept' | 'later' | 'duplicate' | 'reject'; message: string };
type Ids = { accountId: string; environmentId: string };

/**
 * What both id messages (provisioningIdsReceived, reuseExistingIds) meet at their step: the same ids again are a
 * duplicate; other ids once the step is done, or any once it was skipped, are refused. Undefined: the step can
 * still take them. `recorded` says what was recorded, e.g. "existing ids were already recorded".
 */
export function judgeIdsAtStep(
  s: StepStatus,
  kept: Ids | undefined,
  ids: Ids,
  recorded: string,
): IdsVerdict | undefined {
  const known = s.state === 'done' ? s.data : kept;
  if (known && known.accountId === ids.accountId && known.environmentId === ids.environmentId) {
    return { verdict: 'duplicate', message: `these ${recorded}` };
  }
  if (s.state === 'done') {
    const was = `accountId ${String(s.data.accountId)}, environmentId ${String(s.data.environmentId)}, from ${s.by}`;
    return { verdict: 'reject', message: `${recorded} (${was}); they cannot be changed` };
  }
  if (s.state === 'skipped') {
    return { verdict: 'reject', message: `step ${s.id} was skipped${s.note ? ` (${s.note})` : ''}` };
  }
  return undefined;
}

/** The rules of reuseExistingIds (the update's validator and the signal handler both use them). */
export function judgeReuseExistingIds(
  ids: ReuseExistingIds,
  steps: StepStatus[],
  kept: { existingIds?: ReuseExistingIds; provisioningIds?: { accountId: string; environmentId: string } },
  startedOn: ConnectorPath | undefined,
): IdsVerdict {
  const reject = (message: string): IdsVerdict => ({ verdict: 'reject', message });
  const target = steps.find((s) => s.id === 'connector.existing-ids');
  if (!target) {
    return reject('this upgrade was started before the re-use path existed: it has the support-ticket path only');
  }
  if (startedOn === 'support-ticket') {
    return reject('this upgrade was started with options.connectorPath "support-ticket": it does not re-use ids');
  }
  const atStep = judgeIdsAtStep(target, kept.existingIds, ids, 'existing ids were already recorded');
  if (atStep) return atStep;
  const provisioning = steps.find((s) => s.id === 'connector.provisioning-ids')!;
  const received = provisioning.state === 'done' ? provisioning.data : kept.provisioningIds;
  if (received) {
    return reject(
      `Zuora's provisioning ids were already received (accountId ${String(received.accountId)}): the upgrade is ` +
        'on the support-ticket path',
    );
  }
  const ticket = steps.find((s) => s.id === 'connector.support-ticket')!;
  if (ticket.state === 'running') {
    return reject('step connector.support-ticket is composing the ticket: send this again in a moment');
  }
  // At the ticket steps or at its own step the choice takes effect now; before them it is kept for later.
  const atPathSteps = [target, ticket, provisioning].some((s) => s.state === 'waiting');
  return atPathSteps
    ? { verdict: 'accept', message: 're-use path chosen: the existing ids are recorded at step connector.existing-ids' }
    : {
        verdict: 'later',
        message:
          're-use path chosen: the support ticket and provisioning ids are not needed; the ids are recorded at ' +
          'step connector.existing-ids',
      };
}

/** What the operator does at connector.new-oauth-client: seed 001, with the ids the instance now carries. */
export function newOAuthClientNote(existing: StepStatus | undefined): string {
  const ids =
    existing?.state === 'done'
      ? ` (AccountId ${String(existing.data.accountId)}, EnvironmentId ${String(existing.data.environmentId)})`
      : '';
  return (
    `once the new instance's details carry the re-used ids${ids}, create a new Zuora OAuth client; the NetSuite ` +
    'credentials can stay as they are if the target NetSuite is the same'
  );
}
