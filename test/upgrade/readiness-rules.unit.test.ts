// The readiness preflight's pure parts (issue 14 point 1; docs/product.md, docs/zuora.md §10): the rows of Zuora's
// "Validate transactions" checklist, the per-row summary of what a run found, and the rules of acknowledgeReadiness
// and retryStep at the readiness step, run as the workflow's handlers run them (check, then apply).
import {
  READINESS_LISTED,
  READINESS_ROW_NAMES,
  READINESS_STEP,
  summarizeOffenders,
  type ReadinessOffender,
} from '../../src/shared/readiness';
import { MESSAGES, STEPS, type MessageName, type StepStatus } from '../../src/shared/upgrade';
import { apply, check, type MessageRules, type Verdict } from '../../src/workflows/upgrade/messages';
import { describeOpenRows, openRows, recordFindings } from '../../src/workflows/upgrade/readiness';
import { initialState, statusOf, stepOf, type UpgradeState } from '../../src/workflows/upgrade/state';
import { renderChecklist } from '../../src/client/render';
import { renderUpgradeMarkdown } from '../../src/workflows/upgrade/render';

const AT = '2026-03-01T10:00:00.000Z';
const by = 'ana@example.com';
const rules: MessageRules = {
  strict: true,
  migrationSkipNeedsAcknowledgement: true,
  startedOn: undefined,
  awaitingApproval: null,
};

function upgradeAtReadiness(state: StepStatus['state'], withStep = true): UpgradeState {
  const u = initialState(true, undefined, AT, withStep);
  for (const s of u.steps) {
    if (s.id === READINESS_STEP || (!withStep && s.id === 'enable-invoice-settlement')) {
      s.state = state;
      break;
    }
    s.state = 'done';
  }
  return u;
}
function send(u: UpgradeState, name: MessageName, payload: unknown): Verdict {
  const v = check(u, { name, payload }, rules);
  if (v.ok) apply(u, { name, payload }, v.outcome, rules, AT);
  return v;
}
const outcomeOf = (v: Verdict) => (v.ok ? v.outcome.outcome : `refused: ${v.reason}`);
const offender = (row: ReadinessOffender['row'], n: number): ReadinessOffender => ({
  row,
  id: `id-${row}-${n}`,
  number: `N${n}`,
  detail: 'x',
});
/** A run that found two draft payments and one pending payment run applying credit balance. */
const found = () => ({
  report: '/reports/is-upgrade-t/readiness-1-1.jsonl',
  ranAt: AT,
  rows: summarizeOffenders([
    offender('draft-payments', 1),
    offender('draft-payments', 2),
    offender('payment-runs-applying-credit-balance', 3),
  ]),
});

describe('the rows', () => {
  test('every row has a unique name and the step sits right before the enablement request', () => {
    expect(new Set(READINESS_ROW_NAMES).size).toBe(READINESS_ROW_NAMES.length);
    const ids = STEPS.map((s) => s.id);
    expect(ids.indexOf(READINESS_STEP)).toBe(ids.indexOf('enable-invoice-settlement') - 1);
  });

  test('a summary counts every offender per row and lists the first few by number', () => {
    const many = Array.from({ length: READINESS_LISTED + 5 }, (_, i) => offender('error-payments', i));
    const rows = summarizeOffenders([...many, offender('draft-payments', 99)]);
    expect(rows.map((r) => r.row)).toEqual(READINESS_ROW_NAMES);
    expect(rows.find((r) => r.row === 'error-payments')).toEqual({
      row: 'error-payments',
      count: READINESS_LISTED + 5,
      listed: many.slice(0, READINESS_LISTED).map((o) => o.number),
    });
    expect(rows.find((r) => r.row === 'draft-payments')?.count).toBe(1);
    expect(rows.find((r) => r.row === 'draft-accounts-with-credit-balance')?.count).toBe(0);
  });

  test('an acknowledgement names a row and gives a reason; a wrong row is refused naming every valid row', () => {
    const wrong = MESSAGES.acknowledgeReadiness.safeParse({ by, row: 'draft-paymnts', reason: 'known' });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]?.message).toBe(`row must be one of: ${READINESS_ROW_NAMES.join(', ')}`);
    expect(MESSAGES.acknowledgeReadiness.safeParse({ by, row: 'draft-payments' }).success).toBe(false);
    expect(MESSAGES.acknowledgeReadiness.safeParse({ by, row: 'draft-payments', reason: 'ok' }).success).toBe(false);
  });
});

describe('at the readiness step', () => {
  test('the rows with offenders are open; the waiting text names each with its offenders and how to go on', () => {
    const u = upgradeAtReadiness('waiting');
    const s = stepOf(u, READINESS_STEP);
    recordFindings(s, found());
    expect(openRows(s)).toEqual(['draft-payments', 'payment-runs-applying-credit-balance']);
    expect(s.data.open).toEqual(openRows(s));
    const text = describeOpenRows(s);
    expect(text).toContain('draft-payments: 2 — N1, N2.');
    expect(text).toContain(found().report);
    expect(text).toContain('acknowledgeReadiness');
  });

  test('an acknowledgement with a reason closes its row; the same row again is a duplicate; a wrong row is refused', () => {
    const u = upgradeAtReadiness('waiting');
    const s = stepOf(u, READINESS_STEP);
    recordFindings(s, found());
    const ack = { by, row: 'draft-payments', reason: 'processed by the payments team on Monday' };
    expect(outcomeOf(send(u, 'acknowledgeReadiness', ack))).toBe('accepted');
    expect(openRows(s)).toEqual(['payment-runs-applying-credit-balance']);
    expect(s.data.acknowledged).toEqual({
      'draft-payments': { by, reason: ack.reason, at: AT, count: 2 },
    });
    expect(outcomeOf(send(u, 'acknowledgeReadiness', { ...ack, by: 'bob', reason: 'other' }))).toBe('duplicate');
    expect(outcomeOf(send(u, 'acknowledgeReadiness', { ...ack, row: 'drafts' }))).toMatch(
      /^refused: Invalid acknowledgeReadiness: .*row must be one of: draft-accounts-with-credit-balance, /,
    );
    // A re-run keeps the acknowledgement: the row stays closed even if its offenders are still there.
    recordFindings(s, found());
    expect(openRows(s)).toEqual(['payment-runs-applying-credit-balance']);
  });

  test('retryStep runs the checklist again while the step waits; a row acknowledged before the step runs is kept', () => {
    const waiting = upgradeAtReadiness('waiting');
    expect(outcomeOf(send(waiting, 'retryStep', { by, stepId: READINESS_STEP }))).toBe('accepted');
    const early = upgradeAtReadiness('pending');
    const ack = { by, row: 'migration-one-time-charge', reason: 'the EUR charge is created on the migration day' };
    expect(outcomeOf(send(early, 'acknowledgeReadiness', ack))).toBe('kept-for-later');
    const s = stepOf(early, READINESS_STEP);
    recordFindings(s, {
      ...found(),
      rows: summarizeOffenders([offender('migration-one-time-charge', 1)]),
    });
    expect(openRows(s)).toEqual([]);
  });

  test('refused once the step is done or skipped, and by upgrades started before the step existed', () => {
    const ack = { by, row: 'draft-payments', reason: 'known and accepted' };
    expect(outcomeOf(send(upgradeAtReadiness('done'), 'acknowledgeReadiness', ack))).toMatch(/already done/);
    expect(outcomeOf(send(upgradeAtReadiness('skipped'), 'acknowledgeReadiness', ack))).toMatch(/was skipped/);
    const old = upgradeAtReadiness('waiting', false);
    expect(old.steps.some((s) => s.id === READINESS_STEP)).toBe(false);
    expect(outcomeOf(send(old, 'acknowledgeReadiness', ack))).toMatch(/started before the readiness preflight/);
    expect(outcomeOf(send(old, 'retryStep', { by, stepId: READINESS_STEP }))).toMatch(/not part of this upgrade/);
  });
});

describe('the checklists say the same', () => {
  test('is-upgrade status and the Web UI list the open and acknowledged rows and what to send next', () => {
    const u = upgradeAtReadiness('waiting');
    recordFindings(stepOf(u, READINESS_STEP), found());
    send(u, 'acknowledgeReadiness', { by, row: 'draft-payments', reason: 'processed on Monday' });
    const status = statusOf(u, { tenantId: 'demo', workflowId: 'is-upgrade-demo', dryRun: false });

    const terminal = renderChecklist(status);
    expect(terminal).toContain(`Readiness checklist (report: ${found().report}):`);
    expect(terminal).toMatch(/^ {2}open: payment-runs-applying-credit-balance: 1 \(N3\)$/m);
    expect(terminal).toMatch(/^ {2}acknowledged: draft-payments by ana@example\.com: processed on Monday$/m);
    expect(terminal).toMatch(/\[\?\]\s+4\s+prepare\.readiness-preflight\s+waiting/);
    expect(terminal).toContain(
      'Next: fix what it lists, then: is-upgrade retry --tenant demo --step prepare.readiness-preflight   ' +
        '(or, per row left as it is: is-upgrade acknowledge-readiness --tenant demo --row <row> --reason "…")',
    );

    const web = renderUpgradeMarkdown(status);
    expect(web).toContain('**Readiness checklist**');
    expect(web).toContain('- open: `payment-runs-applying-credit-balance` 1 (N3)');
    expect(web).toContain('- acknowledged: `draft-payments` by ana@example\\.com: processed on Monday');
    expect(web).toContain('`acknowledgeReadiness { "by": "…", "row": "…", "reason": "…" }`');
  });
});
