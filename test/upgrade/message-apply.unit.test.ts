// The upgrade's message rules without a server (issue 13 point 1): for each message kind of the operator contract
// (docs/product.md, "The operator contract"; README "Every message carries `by`…"), when it is accepted, refused with a
// reason, a duplicate (harmless: it changes nothing but the audit log) or kept for its step. Expectations come from
// the contract and the seeds (000: the ticket path; 001: the re-use path and a NEW OAuth client), not from a run.
import {
  FinalSyncQuestion,
  MIGRATION_SKIP_ACKNOWLEDGEMENT,
  MIGRATION_SKIP_RISK,
  STEPS,
  type MessageName,
  type StepId,
  type StepStatus,
} from '../../src/shared/upgrade';
import { NOT_NEEDED_NOTE } from '../../src/workflows/upgrade/connector-path';
import { apply, check, type MessageRules, type Verdict } from '../../src/workflows/upgrade/messages';
import { initialState, stepOf, type UpgradeState } from '../../src/workflows/upgrade/state';

const AT = '2026-03-01T10:00:00.000Z';
const by = 'ana@example.com';
const ids = { accountId: 'acc-1', environmentId: 'env-1' };

const rulesOf = (over: Partial<MessageRules> = {}): MessageRules => ({
  strict: true,
  migrationSkipNeedsAcknowledgement: true,
  startedOn: undefined,
  awaitingApproval: null,
  ...over,
});

/** An upgrade (both connector paths unless said) whose steps before `at` are done and `at` is in `state`. */
function upgradeAt(
  at: StepId,
  state: StepStatus['state'] = 'waiting',
  opts: { connectorPaths?: boolean } = {},
): UpgradeState {
  const u = initialState(opts.connectorPaths ?? true, undefined, AT);
  for (const s of u.steps) {
    if (s.id === at) {
      s.state = state;
      break;
    }
    s.state = 'done';
  }
  return u;
}

/** Sends a message as the workflow's handlers do: check, then apply what was taken. */
function send(u: UpgradeState, name: MessageName, payload: unknown, rules = rulesOf()): Verdict {
  const v = check(u, { name, payload }, rules);
  if (v.ok) apply(u, { name, payload }, v.outcome, rules, AT);
  return v;
}

const outcomeOf = (v: Verdict) => (v.ok ? v.outcome.outcome : 'refused');
const reasonOf = (v: Verdict) => (v.ok ? '' : v.reason);
/** Everything but the audit log: a duplicate or a refusal must leave it as it was. */
const withoutAudit = (u: UpgradeState) => JSON.stringify({ ...u, audit: [] });

describe('every message', () => {
  test('check alone never changes the state (it is also the update validator)', () => {
    const u = upgradeAt('connector.support-ticket');
    const before = JSON.stringify(u);
    for (const [name, payload] of [
      ['reuseExistingIds', { by, ...ids }],
      ['skipStep', { by, stepId: 'connector.support-ticket', reason: 'not needed' }],
      ['pause', { by, reason: 'weekend' }],
    ] as const) {
      expect(check(u, { name, payload }, rulesOf()).ok).toBe(true);
    }
    expect(JSON.stringify(u)).toBe(before);
  });

  test('a message without "by" is refused naming the field', () => {
    const v = check(
      upgradeAt('enable-invoice-settlement'),
      { name: 'invoiceSettlementEnabled', payload: {} },
      rulesOf(),
    );
    expect(reasonOf(v)).toMatch(/^Invalid invoiceSettlementEnabled: by: "by" is required/);
  });

  test('a step the upgrade does not have is refused (started before the connector paths: 14 steps)', () => {
    const u = upgradeAt('connector.oauth-client', 'waiting', { connectorPaths: false });
    const v = send(u, 'completeStep', { by, stepId: 'connector.instance-credentials' });
    expect(reasonOf(v)).toMatch(/not part of this upgrade/);
  });

  test('every taken message lands in the audit log with its sender and outcome', () => {
    const u = upgradeAt('enable-invoice-settlement');
    send(u, 'invoiceSettlementEnabled', { by });
    send(u, 'invoiceSettlementEnabled', { by: 'bo@example.com' });
    expect(u.audit.map((a) => [a.message, a.by, a.outcome, a.at])).toEqual([
      ['invoiceSettlementEnabled', by, 'accepted', AT],
      ['invoiceSettlementEnabled', 'bo@example.com', 'duplicate', AT],
    ]);
  });
});

describe('invoiceSettlementEnabled: the claim is kept until the Zuora API verifies it', () => {
  test('accepted while step enable-invoice-settlement waits', () => {
    const u = upgradeAt('enable-invoice-settlement');
    expect(outcomeOf(send(u, 'invoiceSettlementEnabled', { by }))).toBe('accepted');
    expect(u.inbox.enabledClaims).toEqual([{ by, at: AT }]);
  });

  test('kept for later when it comes early', () => {
    const u = upgradeAt('prepare.final-credit-memo-sync', 'running');
    expect(outcomeOf(send(u, 'invoiceSettlementEnabled', { by }))).toBe('kept-for-later');
    expect(u.inbox.enabledClaims).toHaveLength(1);
  });

  test('a second claim while one is verified, or once verified, is a duplicate and changes nothing', () => {
    const u = upgradeAt('enable-invoice-settlement');
    send(u, 'invoiceSettlementEnabled', { by });
    const before = withoutAudit(u);
    expect(outcomeOf(send(u, 'invoiceSettlementEnabled', { by }))).toBe('duplicate');
    expect(withoutAudit(u)).toBe(before);
    const done = upgradeAt('migrate.credit-memos');
    expect(outcomeOf(send(done, 'invoiceSettlementEnabled', { by }))).toBe('duplicate');
  });
});

describe('provisioningIdsReceived: Zuora answered the ticket (seed 000)', () => {
  test('accepted while step connector.provisioning-ids waits; the re-use path is not needed', () => {
    const u = upgradeAt('connector.provisioning-ids');
    expect(outcomeOf(send(u, 'provisioningIdsReceived', { by, ...ids, ticketId: 'T-1' }))).toBe('accepted');
    expect(u.inbox.provisioningIds).toEqual({ by, ...ids, ticketId: 'T-1', at: AT });
    expect(u.connectorPath).toBe('support-ticket');
    for (const id of ['connector.existing-ids', 'connector.new-oauth-client'] as const) {
      expect(stepOf(u, id)).toMatchObject({ state: 'skipped', note: NOT_NEEDED_NOTE['support-ticket'] });
    }
  });

  test('kept for later when it comes before its step', () => {
    const u = upgradeAt('connector.oauth-client');
    expect(outcomeOf(send(u, 'provisioningIdsReceived', { by, ...ids }))).toBe('kept-for-later');
    expect(u.inbox.provisioningIds).toMatchObject(ids);
  });

  test('the same ids again are a duplicate; other ids once received are refused', () => {
    const u = upgradeAt('connector.provisioning-ids');
    send(u, 'provisioningIdsReceived', { by, ...ids });
    expect(outcomeOf(send(u, 'provisioningIdsReceived', { by, ...ids }))).toBe('duplicate');
    const s = stepOf(u, 'connector.provisioning-ids');
    Object.assign(s, { state: 'done', by, data: { ...ids } });
    const before = withoutAudit(u);
    const v = send(u, 'provisioningIdsReceived', { by, accountId: 'acc-2', environmentId: 'env-2' });
    expect(reasonOf(v)).toMatch(/already received .*cannot be changed/);
    expect(withoutAudit(u)).toBe(before);
  });

  test('a malformed id is refused naming the field', () => {
    const v = send(upgradeAt('connector.provisioning-ids'), 'provisioningIdsReceived', { by, ...ids, accountId: 'x' });
    expect(reasonOf(v)).toMatch(/accountId: accountId must be 3-64/);
  });
});

describe('reuseExistingIds: the re-use path (seed 001)', () => {
  test('accepted at the ticket step: the ticket path steps are not needed', () => {
    const u = upgradeAt('connector.support-ticket');
    expect(outcomeOf(send(u, 'reuseExistingIds', { by, ...ids }))).toBe('accepted');
    expect(u.connectorPath).toBe('reuse-existing-ids');
    expect(u.inbox.existingIds).toEqual({ by, ...ids, at: AT });
    for (const id of ['connector.support-ticket', 'connector.provisioning-ids'] as const) {
      expect(stepOf(u, id)).toMatchObject({ state: 'skipped', by, note: NOT_NEEDED_NOTE['reuse-existing-ids'] });
    }
  });

  test('kept for later before the path steps; the same ids again are a duplicate', () => {
    const u = upgradeAt('migrate.credit-memos', 'running');
    expect(outcomeOf(send(u, 'reuseExistingIds', { by, ...ids }))).toBe('kept-for-later');
    const before = withoutAudit(u);
    expect(outcomeOf(send(u, 'reuseExistingIds', { by, ...ids }))).toBe('duplicate');
    expect(withoutAudit(u)).toBe(before);
  });

  test('refused when started on the ticket path, or without the paths', () => {
    const ticket = upgradeAt('connector.support-ticket');
    expect(
      reasonOf(send(ticket, 'reuseExistingIds', { by, ...ids }, rulesOf({ startedOn: 'support-ticket' }))),
    ).toMatch(/started with options.connectorPath "support-ticket"/);
    const old = upgradeAt('connector.support-ticket', 'waiting', { connectorPaths: false });
    expect(reasonOf(send(old, 'reuseExistingIds', { by, ...ids }))).toMatch(/support-ticket path only/);
  });
});

describe("once a connector path is taken, the other path's message is refused (its step is skipped)", () => {
  test.each([
    ['reuseExistingIds', 'provisioningIdsReceived', 'connector.provisioning-ids'],
    ['provisioningIdsReceived', 'reuseExistingIds', 'connector.existing-ids'],
  ] as const)('after %s, %s is refused', (taken, other, skipped) => {
    const u = upgradeAt('connector.support-ticket');
    send(u, taken, { by, ...ids });
    expect(reasonOf(send(u, other, { by, ...ids }))).toContain(`step ${skipped} was skipped`);
  });
});

describe('completeStep: a manual step is done', () => {
  test('accepted while the step waits, with its required data', () => {
    const u = upgradeAt('connector.new-instance');
    const v = send(u, 'completeStep', { by, stepId: 'connector.new-instance', data: { newInstanceId: 'inst-2' } });
    expect(outcomeOf(v)).toBe('accepted');
    expect(u.inbox.completions['connector.new-instance']).toEqual({ by, data: { newInstanceId: 'inst-2' }, at: AT });
  });

  test('kept for later for a manual step still to come; again it is a duplicate', () => {
    const u = upgradeAt('enable-invoice-settlement');
    const msg = { by, stepId: 'connector.sync-preferences' };
    expect(outcomeOf(send(u, 'completeStep', msg))).toBe('kept-for-later');
    const before = withoutAudit(u);
    expect(outcomeOf(send(u, 'completeStep', msg))).toBe('duplicate');
    expect(withoutAudit(u)).toBe(before);
  });

  test('refused without the step data the step needs', () => {
    const v = send(upgradeAt('connector.new-instance'), 'completeStep', { by, stepId: 'connector.new-instance' });
    expect(reasonOf(v)).toMatch(/needs data.newInstanceId/);
  });

  test('refused for a step that is not manual, pointing at the right message', () => {
    const u = upgradeAt('enable-invoice-settlement');
    expect(reasonOf(send(u, 'completeStep', { by, stepId: 'enable-invoice-settlement' }))).toMatch(
      /not a manual step: send invoiceSettlementEnabled/,
    );
    expect(reasonOf(send(u, 'completeStep', { by, stepId: 'schedules.switch' }))).toMatch(/use retryStep or skipStep/);
  });

  test('the new OAuth client of the re-use path must not be the first one (seed 001)', () => {
    const u = upgradeAt('connector.new-oauth-client');
    stepOf(u, 'connector.oauth-client').data = { oauthClientId: 'oauth-1' };
    const msg = (id: string) => ({ by, stepId: 'connector.new-oauth-client', data: { oauthClientId: id } });
    expect(reasonOf(send(u, 'completeStep', msg('oauth-1')))).toMatch(/needs a NEW OAuth client/);
    expect(outcomeOf(send(u, 'completeStep', msg('oauth-2')))).toBe('accepted');
  });

  test('a done step: the same data is a duplicate, other data is refused', () => {
    const u = upgradeAt('connector.support-ticket');
    Object.assign(stepOf(u, 'connector.new-instance'), { by, data: { newInstanceId: 'inst-2' } });
    const msg = (id: string) => ({ by, stepId: 'connector.new-instance', data: { newInstanceId: id } });
    expect(outcomeOf(send(u, 'completeStep', msg('inst-2')))).toBe('duplicate');
    expect(reasonOf(send(u, 'completeStep', msg('inst-3')))).toMatch(/already completed by .* newInstanceId=inst-2/);
  });

  test("the final sync's question on the syncs needs standard and negativeBalance, as JSON or CLI text", () => {
    const u = upgradeAt('prepare.final-credit-memo-sync');
    stepOf(u, 'prepare.final-credit-memo-sync').data = { question: FinalSyncQuestion.whichSyncs };
    const stepId = 'prepare.final-credit-memo-sync';
    expect(reasonOf(send(u, 'completeStep', { by, stepId, data: { standard: 'true' } }))).toMatch(
      /needs data.standard and data.negativeBalance/,
    );
    const v = send(u, 'completeStep', { by, stepId, data: { standard: 'true', negativeBalance: 'false' } });
    expect(v).toEqual({ ok: true, outcome: { outcome: 'accepted', message: 'final sync runs with the syncs given' } });
  });
});

describe('approveStep: the gate before the irreversible bulk update', () => {
  const stepId = 'migrate.credit-memos';
  test('accepted only while the step waits for it; again it is a duplicate', () => {
    const u = upgradeAt(stepId);
    const waiting = rulesOf({ awaitingApproval: stepId });
    expect(outcomeOf(send(u, 'approveStep', { by, stepId, note: 'counts checked' }, waiting))).toBe('accepted');
    expect(u.inbox.approvals[stepId]).toEqual({ by, note: 'counts checked', at: AT });
    expect(outcomeOf(send(u, 'approveStep', { by, stepId }, waiting))).toBe('duplicate');
  });

  test('refused during the dry run (before the gate) and for a step without a gate', () => {
    const u = upgradeAt(stepId, 'running');
    expect(reasonOf(send(u, 'approveStep', { by, stepId }))).toMatch(/not waiting for approval .*dry run in progress/);
    expect(u.inbox.approvals).toEqual({});
    expect(reasonOf(send(u, 'approveStep', { by, stepId: 'schedules.switch' }))).toMatch(/has no approval gate/);
  });
});

describe('skipStep', () => {
  test('accepted for the current step when it waits or failed: skipped at once with the reason', () => {
    const u = upgradeAt('prepare.verify-zuora-synced', 'failed');
    expect(
      outcomeOf(send(u, 'skipStep', { by, stepId: 'prepare.verify-zuora-synced', reason: 'synced by hand' })),
    ).toBe('accepted');
    expect(stepOf(u, 'prepare.verify-zuora-synced')).toMatchObject({
      state: 'skipped',
      by,
      note: 'skipped: synced by hand',
      finishedAt: AT,
    });
    const again = send(u, 'skipStep', { by, stepId: 'prepare.verify-zuora-synced', reason: 'synced by hand' });
    expect(outcomeOf(again)).toBe('duplicate');
  });

  test('refused for a step still to come ("skip it when it comes"); older upgrades kept the old rule', () => {
    const msg = { by, stepId: 'connector.retire-old', reason: 'kept for now' };
    expect(reasonOf(send(upgradeAt('enable-invoice-settlement'), 'skipStep', msg))).toMatch(
      /has not come yet; the upgrade is at step enable-invoice-settlement; skip it when it comes/,
    );
    expect(outcomeOf(send(upgradeAt('enable-invoice-settlement'), 'skipStep', msg, rulesOf({ strict: false })))).toBe(
      'accepted',
    );
  });

  test('refused while the step runs and once it is done', () => {
    const u = upgradeAt('payments.catch-up-sync', 'running');
    const msg = (stepId: StepId) => ({ by, stepId, reason: 'not needed' });
    expect(reasonOf(send(u, 'skipStep', msg('payments.catch-up-sync')))).toMatch(/is running/);
    expect(reasonOf(send(u, 'skipStep', msg('connector.retire-old')))).toMatch(/already done/);
  });

  test('skipping the migration needs the acknowledgement of its risk, which the status keeps', () => {
    const stepId = 'migrate.credit-memos';
    const u = upgradeAt(stepId);
    expect(reasonOf(send(u, 'skipStep', { by, stepId, reason: 'done by hand' }))).toContain(MIGRATION_SKIP_RISK);
    const v = send(u, 'skipStep', { by, stepId, reason: 'done by hand', acknowledge: MIGRATION_SKIP_ACKNOWLEDGEMENT });
    expect(outcomeOf(v)).toBe('accepted');
    expect(u.migration.skipped).toEqual({
      by,
      reason: 'done by hand',
      acknowledged: MIGRATION_SKIP_ACKNOWLEDGEMENT,
      risk: MIGRATION_SKIP_RISK,
    });
    const old = upgradeAt(stepId);
    const legacy = rulesOf({ migrationSkipNeedsAcknowledgement: false });
    expect(outcomeOf(send(old, 'skipStep', { by, stepId, reason: 'done by hand' }, legacy))).toBe('accepted');
    expect(old.migration.skipped?.acknowledged).toBeNull();
  });
});

describe('retryStep', () => {
  test('accepted for a failed step; a second request is a duplicate', () => {
    const u = upgradeAt('payments.catch-up-sync', 'failed');
    expect(outcomeOf(send(u, 'retryStep', { by, stepId: 'payments.catch-up-sync' }))).toBe('accepted');
    expect(u.inbox.retries['payments.catch-up-sync']).toEqual({ by, at: AT });
    expect(outcomeOf(send(u, 'retryStep', { by, stepId: 'payments.catch-up-sync' }))).toBe('duplicate');
  });

  test("accepted where a waiting step asks for it: verify-zuora-synced, the final sync's questions", () => {
    expect(
      outcomeOf(
        send(upgradeAt('prepare.verify-zuora-synced'), 'retryStep', { by, stepId: 'prepare.verify-zuora-synced' }),
      ),
    ).toBe('accepted');
    const u = upgradeAt('prepare.final-credit-memo-sync');
    stepOf(u, 'prepare.final-credit-memo-sync').data = { question: FinalSyncQuestion.notFullyApplied };
    expect(send(u, 'retryStep', { by, stepId: 'prepare.final-credit-memo-sync' })).toEqual({
      ok: true,
      outcome: { outcome: 'accepted', message: 'running the final sync again' },
    });
  });

  test('refused for a step that has not failed', () => {
    const u = upgradeAt('connector.oauth-client');
    expect(reasonOf(send(u, 'retryStep', { by, stepId: 'connector.oauth-client' }))).toMatch(
      /is not failed \(state waiting\); only a failed step can be retried/,
    );
    expect(reasonOf(send(u, 'retryStep', { by, stepId: STEPS[0].id }))).toMatch(/state done/);
  });
});

describe('pause and resume', () => {
  test('pause holds the next step; a second pause is a duplicate naming who paused', () => {
    const u = upgradeAt('connector.oauth-client');
    expect(outcomeOf(send(u, 'pause', { by, reason: 'month-end close' }))).toBe('accepted');
    expect(u.paused).toEqual({ by, reason: 'month-end close', at: AT });
    expect(send(u, 'pause', { by: 'bo@example.com', reason: 'again' })).toEqual({
      ok: true,
      outcome: { outcome: 'duplicate', message: `already paused by ${by}` },
    });
    expect(u.paused?.by).toBe(by);
  });

  test('resume lifts the pause; when not paused it is a duplicate', () => {
    const u = upgradeAt('connector.oauth-client');
    expect(outcomeOf(send(u, 'resume', { by }))).toBe('duplicate');
    send(u, 'pause', { by, reason: 'month-end close' });
    expect(outcomeOf(send(u, 'resume', { by }))).toBe('accepted');
    expect(u.paused).toBeNull();
  });

  test('a pause without a reason is refused', () => {
    expect(reasonOf(send(upgradeAt('connector.oauth-client'), 'pause', { by }))).toMatch(/^Invalid pause: reason/);
  });
});
