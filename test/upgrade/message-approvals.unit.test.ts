// Issue 14 point 4 without a server: who may approve (the upgrade's allow-list and two-person rule, chosen at start),
// an early message kept for its step sent again with other data (it replaces the kept one, in the audit log), and
// the audit log's numbering, export batches and the bounded continue-as-new carry (issue 15 point 5).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createUpgradeActivities } from '../../src/activities/upgrade';
import { ReportStore } from '../../src/reports/report-store';
import { OPERATOR_MAX } from '../../src/shared/approvals';
import { AUDIT_LOG_REPORT } from '../../src/shared/audit-log';
import { jsonBytes } from '../../src/shared/text';
import { MESSAGE_BOUNDS, upgradeInputSchema, type MessageName, type StepId } from '../../src/shared/upgrade';
import { describeZodError } from '../../src/shared/zod-errors';
import {
  AUDIT_EXPORT,
  CARRY_BYTES,
  boundCarry,
  exportAll,
  exportDue,
  nextBatch,
} from '../../src/workflows/upgrade/audit-export';
import { apply, check, type MessageRules, type Verdict } from '../../src/workflows/upgrade/messages';
import { initialState, recordAudit, statusOf, type UpgradeState } from '../../src/workflows/upgrade/state';

const AT = '2026-03-01T10:00:00.000Z';
const GATE = 'migrate.credit-memos';
const rulesOf = (over: Partial<MessageRules> = {}): MessageRules => ({
  strict: true,
  migrationSkipNeedsAcknowledgement: true,
  startedOn: undefined,
  awaitingApproval: null,
  ...over,
});
function upgradeAt(at: StepId, state: 'waiting' | 'pending' = 'waiting'): UpgradeState {
  const u = initialState(true, undefined, AT);
  for (const s of u.steps) {
    if (s.id === at) {
      s.state = state;
      break;
    }
    s.state = 'done';
  }
  return u;
}
function send(u: UpgradeState, name: MessageName, payload: unknown, rules: MessageRules): Verdict {
  const v = check(u, { name, payload }, rules);
  if (v.ok) apply(u, { name, payload }, v.outcome, rules, AT);
  return v;
}
const outcomeOf = (v: Verdict) => (v.ok ? v.outcome.outcome : `refused: ${v.reason}`);

describe('approvals: an allow-list and the two-person rule, per upgrade', () => {
  const atGate = (approvals: MessageRules['approvals']) => rulesOf({ awaitingApproval: GATE, approvals });

  test('without a policy anyone approves (upgrades started before, and the default)', () => {
    expect(
      outcomeOf(send(upgradeAt(GATE), 'approveStep', { by: 'x@example.com', stepId: GATE }, atGate(undefined))),
    ).toBe('accepted');
  });

  test('the allow-list: someone not on it is refused naming the rule and the approvers; names ignore case', () => {
    const rules = atGate({ approvers: ['ana@example.com', 'Bob@Example.com'], twoPersonRule: false });
    const u = upgradeAt(GATE);
    expect(outcomeOf(send(u, 'approveStep', { by: 'mallory@example.com', stepId: GATE }, rules))).toBe(
      'refused: approver allow-list: mallory@example.com may not approve this upgrade ' +
        '(approvers: ana@example.com, Bob@Example.com)',
    );
    expect(u.inbox.approvals).toEqual({});
    expect(outcomeOf(send(u, 'approveStep', { by: 'bob@example.com', stepId: GATE }, rules))).toBe('accepted');
  });

  test('the rule is checked before anything else: a refused approver is refused even after the approval', () => {
    const rules = atGate({ approvers: ['ana@example.com'], twoPersonRule: false });
    const u = upgradeAt(GATE);
    expect(outcomeOf(send(u, 'approveStep', { by: 'ana@example.com', stepId: GATE }, rules))).toBe('accepted');
    expect(outcomeOf(send(u, 'approveStep', { by: 'eve@example.com', stepId: GATE }, rules))).toMatch(
      /^refused: approver allow-list: eve@example.com/,
    );
  });

  test('the two-person rule: the one who started the upgrade cannot approve it; someone else can', () => {
    const rules = atGate({ twoPersonRule: true, startedBy: 'ana@example.com' });
    const u = upgradeAt(GATE);
    expect(outcomeOf(send(u, 'approveStep', { by: ' ANA@example.com', stepId: GATE }, rules))).toBe(
      'refused: two-person rule: ANA@example.com started this upgrade, so someone else must approve it',
    );
    expect(u.audit).toEqual([]); // a refusal (update) changes nothing; the signal handler audits it
    expect(outcomeOf(send(u, 'approveStep', { by: 'bob@example.com', stepId: GATE }, rules))).toBe('accepted');
  });

  test('both rules at once: an approver on the list who started it is refused by the two-person rule', () => {
    const rules = atGate({
      approvers: ['ana@example.com', 'bob@example.com'],
      twoPersonRule: true,
      startedBy: 'ana@example.com',
    });
    expect(outcomeOf(send(upgradeAt(GATE), 'approveStep', { by: 'ana@example.com', stepId: GATE }, rules))).toMatch(
      /^refused: two-person rule/,
    );
  });

  test('the start input: the policy is validated, and the two-person rule needs who starts it', () => {
    const base = { tenantId: 'demo', oldConnectorInstanceId: 'old-1' };
    const refusal = (input: unknown) => {
      const r = upgradeInputSchema.safeParse(input);
      return r.success ? 'accepted' : describeZodError(r.error);
    };
    expect(refusal({ ...base, options: { approvals: { twoPersonRule: true } } })).toBe(
      'by: options.approvals.twoPersonRule needs "by": who starts the upgrade (the approver must be someone else)',
    );
    expect(refusal({ ...base, by: 'ana@example.com', options: { approvals: { twoPersonRule: true } } })).toBe(
      'accepted',
    );
    expect(refusal({ ...base, options: { approvals: { approvers: [] } } })).toMatch(
      /^options\.approvals\.approvers: approvers must name at least one person/,
    );
    expect(refusal({ ...base, options: { approvals: { approvers: ['a\u202eb'] } } })).toMatch(
      /^options\.approvals\.approvers\.0: each approver must not contain control characters/,
    );
    expect(refusal({ ...base, options: { approvals: { quorum: 2 } } })).toMatch(/Unrecognized key.*quorum/);
    expect(refusal({ ...base, by: '' })).toBe('by: by must not be empty');
    expect(OPERATOR_MAX).toBe(MESSAGE_BOUNDS.by); // a starter and an approver are named as a message's `by`
  });
});

describe('an early completion kept for its step, sent again', () => {
  const stepId = 'connector.new-instance';
  const msg = (newInstanceId: string, who = 'ana@example.com') => ({
    by: who,
    stepId,
    data: { newInstanceId },
  });
  const replacing = rulesOf({ replaceKept: true });

  test('with the same data: a duplicate that changes nothing', () => {
    const u = upgradeAt('enable-invoice-settlement');
    expect(outcomeOf(send(u, 'completeStep', msg('inst-2'), replacing))).toBe('kept-for-later');
    expect(outcomeOf(send(u, 'completeStep', msg('inst-2', 'bob@example.com'), replacing))).toBe('duplicate');
    expect(u.inbox.completions[stepId]).toMatchObject({ by: 'ana@example.com', data: { newInstanceId: 'inst-2' } });
  });

  test('with other data: replaces the kept one, and the audit log says what it replaced', () => {
    const u = upgradeAt('enable-invoice-settlement');
    send(u, 'completeStep', msg('inst-2'), replacing);
    const v = send(u, 'completeStep', msg('inst-3', 'bob@example.com'), replacing);
    expect(v).toEqual({
      ok: true,
      outcome: {
        outcome: 'kept-for-later',
        message:
          'kept: replaces the completion kept from ana@example.com: data {"newInstanceId":"inst-2"} → ' +
          '{"newInstanceId":"inst-3"}',
      },
    });
    expect(u.inbox.completions[stepId]).toMatchObject({ by: 'bob@example.com', data: { newInstanceId: 'inst-3' } });
    expect(u.audit.at(-1)).toMatchObject({
      message: 'completeStep',
      by: 'bob@example.com',
      detail: v.ok && v.outcome.message,
    });
  });

  test('upgrades started before KEPT_MESSAGE_REPLACED keep answering duplicate (their histories replay the same)', () => {
    const u = upgradeAt('enable-invoice-settlement');
    send(u, 'completeStep', msg('inst-2'), rulesOf());
    expect(outcomeOf(send(u, 'completeStep', msg('inst-3'), rulesOf()))).toBe('duplicate');
    expect(u.inbox.completions[stepId]?.data).toEqual({ newInstanceId: 'inst-2' });
  });

  test('provisioning ids kept early: other ids replace them, saying which', () => {
    const u = upgradeAt('enable-invoice-settlement');
    const ids = (accountId: string) => ({ by: 'zuora-support', accountId, environmentId: 'env-1' });
    expect(outcomeOf(send(u, 'provisioningIdsReceived', ids('acc-1'), replacing))).toBe('kept-for-later');
    expect(outcomeOf(send(u, 'provisioningIdsReceived', ids('acc-1'), replacing))).toBe('duplicate');
    const v = send(u, 'provisioningIdsReceived', ids('acc-2'), replacing);
    expect(v.ok && v.outcome.message).toBe(
      'kept: replaces the ids kept from zuora-support (accountId acc-1, environmentId env-1) for step ' +
        'connector.provisioning-ids',
    );
    expect(u.inbox.provisioningIds?.accountId).toBe('acc-2');
  });
});

describe('the whole audit log: numbered, exported in batches, the carry bounded', () => {
  const exporting = () => {
    const u = initialState(true, undefined, AT);
    u.auditLog = { report: null, recorded: 0, exported: 0, unexported: [] };
    return u;
  };
  const rejected = (u: UpgradeState, i: number) =>
    recordAudit(
      u,
      { message: 'retryStep', by: `flood-${i}@example.com`, outcome: 'rejected', detail: 'd'.repeat(1_000) },
      AT,
    );

  test('every entry gets the next number and waits for its export, even after the status log dropped it', () => {
    const u = exporting();
    for (let i = 0; i < 3_000; i++) rejected(u, i);
    expect(u.audit.length).toBeLessThan(3_000); // the status keeps the newest (AUDIT_BOUNDS)
    expect(u.auditLog!.unexported.map((e) => e.seq)).toEqual(Array.from({ length: 3_000 }, (_, i) => i + 1));
    expect(u.audit.at(-1)?.seq).toBe(3_000);
    expect(statusOf(u, { tenantId: 'demo', workflowId: 'w', dryRun: false }).auditLog).toEqual({
      report: null,
      recorded: 3_000,
      exported: 0,
    });
  });

  test('an upgrade started before AUDIT_LOG_EXPORT numbers and keeps nothing extra', () => {
    const u = initialState(true, undefined, AT);
    rejected(u, 1);
    expect(u.audit[0]).not.toHaveProperty('seq');
    expect(u.auditLog).toBeUndefined();
    expect(exportDue(u)).toBe(false);
  });

  test('an export is due at a batch of entries or bytes, not at every entry', () => {
    const u = exporting();
    recordAudit(u, { message: 'system', outcome: 'info', detail: 'x' }, AT);
    expect(exportDue(u)).toBe(false);
    for (let i = 0; exportDue(u) === false; i++) rejected(u, i);
    expect(jsonBytes(u.auditLog!.unexported)).toBeGreaterThanOrEqual(AUDIT_EXPORT.dueBytes);
  });

  test('batches fit the activity payload bound; exportAll writes every entry once, in order', async () => {
    const u = exporting();
    for (let i = 0; i < 1_000; i++) rejected(u, i);
    const written: number[] = [];
    const batches: number[] = [];
    await exportAll(u, async (entries) => {
      expect(jsonBytes(entries)).toBeLessThanOrEqual(AUDIT_EXPORT.batchBytes);
      batches.push(entries.length);
      written.push(...entries.map((e) => e.seq!));
      // An entry recorded while an export runs is exported too.
      if (batches.length === 1) rejected(u, 1_000);
      return { report: '/reports/w/audit-log.jsonl' };
    });
    expect(written).toEqual(Array.from({ length: 1_001 }, (_, i) => i + 1));
    expect(batches.length).toBeGreaterThan(1);
    expect(u.auditLog).toEqual({
      report: '/reports/w/audit-log.jsonl',
      recorded: 1_001,
      exported: 1_001,
      unexported: [],
    });
    expect(nextBatch([])).toEqual([]);
  });

  test('the carry: once everything is exported, the oldest status entries go until it fits CARRY_BYTES', async () => {
    const u = exporting();
    for (let i = 0; i < 3_000; i++) rejected(u, i);
    const input = { tenantId: 'demo', oldConnectorInstanceId: 'old-1' };
    // Whatever else the carry holds (here 200 KB of it), the audit log gives way.
    const rest = 'x'.repeat(200_000);
    const args = () => [input, { state: u }, rest];
    expect(jsonBytes(args())).toBeGreaterThan(CARRY_BYTES);
    // Not before the export: an entry that is nowhere else is never dropped.
    expect(boundCarry(u, args())).toEqual({ bytes: jsonBytes(args()), dropped: 0 });
    await exportAll(u, async () => ({ report: 'r' }));
    const kept = u.audit.length;
    const carried = boundCarry(u, args());
    expect(carried.dropped).toBeGreaterThan(0);
    expect(u.audit.length).toBe(kept - carried.dropped);
    expect(carried.bytes).toBe(jsonBytes(args()));
    expect(carried.bytes).toBeLessThanOrEqual(CARRY_BYTES);
    expect(u.audit.at(-1)?.seq).toBe(3_000); // the newest stay
  });
});

describe('exportAuditLog: the activity writes each entry once, whatever is retried', () => {
  test('a batch written again (a retry) and the next batch leave every seq once, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
    const reports = new ReportStore(dir);
    const acts = createUpgradeActivities({ reports, tenantId: 'demo', taskQueue: 'q' } as never);
    const entry = (seq: number) => ({
      seq,
      at: AT,
      message: 'retryStep',
      outcome: 'rejected' as const,
      detail: `#${seq}`,
    });
    const env = new MockActivityEnvironment();
    const batch = (from: number, n: number) => ({
      tenantId: 'demo',
      workflowId: 'is-upgrade-demo',
      entries: Array.from({ length: n }, (_, i) => entry(from + i)),
    });
    const first = (await env.run(acts.exportAuditLog, batch(1, 3))) as { report: string };
    await env.run(acts.exportAuditLog, batch(1, 3));
    await env.run(acts.exportAuditLog, batch(4, 2));
    await env.run(acts.exportAuditLog, batch(4, 2));
    expect(first.report).toBe(join(dir, 'is-upgrade-demo', AUDIT_LOG_REPORT));
    expect(reports.readJsonLines(first.report).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    await expect(env.run(acts.exportAuditLog, { ...batch(6, 1), tenantId: 'other' })).rejects.toThrow(/tenant/i);
    await expect(env.run(acts.exportAuditLog, { ...batch(6, 2), entries: [entry(6), entry(8)] })).rejects.toThrow(
      /entries must be consecutive/,
    );
  });
});
