// The manifest and revert rules without a server (issue 14 point 3): which memos the manifest says the migration
// changed, what a revert does with each (docs/zuora.md §3: the update takes Processing, Yes, No, Error or Ignore —
// no empty value), when the connector steps count as started, the canary's second approval, and the confirmation.
import { PassThrough } from 'node:stream';
import { confirmByTyping } from '../../src/client/cli/confirm';
import { CliError } from '../../src/client/cli/exit-codes';
import {
  connectorStepsStarted,
  foldManifest,
  foldedManifest,
  revertActionOf,
  revertInputSchema,
  type ManifestPartLine,
} from '../../src/shared/manifest';
import { upgradeOptionsSchema } from '../../src/shared/upgrade';
import { apply, check, type MessageRules } from '../../src/workflows/upgrade/messages';
import { initialState, stepOf } from '../../src/workflows/upgrade/state';

const run = { workflowId: 'wf', runId: 'r1', pass: 1 };
const intent = (id: string, before: string | null, at: string): ManifestPartLine => ({
  k: 'intent',
  id,
  number: `CM-${id}`,
  before,
  after: 'Yes',
  at,
  ...run,
});

describe('foldManifest', () => {
  test('one entry per memo; a memo written twice by a retried batch is one entry, with its writes counted', () => {
    const { entries, unresolved } = foldManifest(
      [
        intent('a', 'No', 't1'),
        { k: 'updated', id: 'a', at: 't2' },
        intent('a', 'No', 't3'),
        { k: 'updated', id: 'a', at: 't4' },
        intent('b', null, 't1'),
        { k: 'updated', id: 'b', at: 't2' },
      ],
      new Map(),
    );
    expect(unresolved).toEqual([]);
    expect(entries).toEqual([
      expect.objectContaining({ id: 'a', before: 'No', changed: true, outcome: 'updated', writes: 2, at: 't4' }),
      expect.objectContaining({ id: 'b', before: null, changed: true, outcome: 'updated', writes: 1 }),
    ]);
  });

  test('refused in every write: in the manifest, marked unchanged; refused then written: changed', () => {
    const { entries } = foldManifest(
      [
        intent('c', 'Error', 't1'),
        { k: 'refused', id: 'c', at: 't2', code: '50000030', message: 'cancelled' },
        intent('d', 'No', 't1'),
        { k: 'refused', id: 'd', at: 't2', code: '50000050', message: 'locked' },
        intent('d', 'Processing', 't3'), // changed by someone between the passes: the value our write overwrote
        { k: 'updated', id: 'd', at: 't4' },
      ],
      new Map(),
    );
    expect(entries).toEqual([
      expect.objectContaining({ id: 'c', changed: false, outcome: 'refused', code: '50000030' }),
      expect.objectContaining({ id: 'd', changed: true, before: 'Processing' }),
    ]);
  });

  test('an intent whose outcome was lost with a killed worker is resolved by reading the memo', () => {
    const lines = [intent('e', 'No', 't1'), intent('f', 'Ignore', 't1')];
    const first = foldManifest(lines, new Map());
    expect(first.unresolved).toEqual(['e', 'f']);
    expect(first.entries).toEqual([]);
    const { entries } = foldManifest(
      lines,
      new Map([
        ['e', 'Yes'],
        ['f', 'Ignore'],
      ]),
    );
    expect(entries).toEqual([
      expect.objectContaining({ id: 'e', changed: true, outcome: 'read-yes', before: 'No' }),
      expect.objectContaining({ id: 'f', changed: false, outcome: 'read-not-yes' }),
    ]);
  });

  test('foldedManifest names the memos to read without making the entries, the same as foldManifest', () => {
    const lines = [
      intent('a', 'No', 't1'),
      { k: 'updated', id: 'a', at: 't2' } as const,
      intent('b', 'No', 't1'),
      intent('c', null, 't1'),
      { k: 'refused', id: 'c', at: 't2', code: 'X', message: 'm' } as const,
      intent('d', 'No', 't1'),
      { k: 'refused', id: 'd', at: 't2', code: 'X', message: 'm' } as const,
      intent('d', 'No', 't3'),
    ];
    expect(foldedManifest(lines).unresolved).toEqual(foldManifest(lines, new Map()).unresolved);
    expect(foldedManifest(lines).unresolved).toEqual(['b', 'd']);
  });
});

describe('revertActionOf', () => {
  test.each([
    ['No', 'Yes', 'set-back'],
    ['Processing', 'Yes', 'set-back'],
    ['Error', 'Yes', 'set-back'],
    ['Ignore', 'Yes', 'set-back'],
    ['No', 'No', 'already'],
    ['No', 'Error', 'changed-since'],
    [null, 'No', 'changed-since'],
    [null, 'Yes', 'not-restorable'],
    [null, null, 'already'],
    ['Later', 'Yes', 'not-restorable'],
  ] as const)('before %s, now %s: %s', (before, current, action) => {
    expect(revertActionOf(before, current)).toBe(action);
  });
});

describe('connectorStepsStarted', () => {
  const statusAt = (phase: 'migrate' | 'connector' | 'payments', states: Record<string, string>) => {
    const steps = initialState(true, undefined, 't').steps.map((s) => ({ ...s, state: states[s.id] ?? s.state }));
    return { phase, steps } as Parameters<typeof connectorStepsStarted>[0];
  };
  test('not while the migration runs, even with the other path’s steps skipped; yes once one waits or is done', () => {
    expect(connectorStepsStarted(statusAt('migrate', { 'connector.existing-ids': 'skipped' }))).toBeNull();
    expect(connectorStepsStarted(statusAt('connector', { 'connector.oauth-client': 'waiting' }))?.id).toBe(
      'connector.oauth-client',
    );
    expect(connectorStepsStarted(statusAt('payments', {}))).not.toBeNull();
  });
});

describe('the canary’s second approval', () => {
  const rules = (awaiting: boolean): MessageRules => ({
    strict: true,
    migrationSkipNeedsAcknowledgement: true,
    startedOn: undefined,
    awaitingApproval: awaiting ? 'migrate.credit-memos' : null,
  });
  test('accepted while the canary gate waits on the approved step; a duplicate at any other time', () => {
    const u = initialState(true, undefined, 't');
    const s = stepOf(u, 'migrate.credit-memos');
    s.data.approvedBy = 'ana';
    const msg = { name: 'approveStep' as const, payload: { by: 'bob', stepId: 'migrate.credit-memos' } };
    const during = check(u, msg, rules(false)); // the canary runs: not waiting
    expect(during.ok && during.outcome.outcome).toBe('duplicate');
    const v = check(u, msg, rules(true));
    expect(v.ok && v.outcome.outcome).toBe('accepted');
    if (v.ok) apply(u, msg, v.outcome, rules(true), 't');
    expect(u.inbox.approvals['migrate.credit-memos']).toMatchObject({ by: 'bob' });
    const again = check(u, msg, rules(true));
    expect(again.ok && again.outcome.outcome).toBe('duplicate');
  });
});

describe('the canary option', () => {
  test('a whole number from 0 (no canary) to 10000, 50 by default; anything else is refused by name', () => {
    const parse = (v: unknown) => upgradeOptionsSchema.safeParse({ migrationCanaryMemos: v });
    expect(upgradeOptionsSchema.parse({}).migrationCanaryMemos).toBe(50);
    expect(parse(0).success && parse(10_000).success).toBe(true);
    for (const bad of [-1, 2.5, 10_001, '50']) {
      expect(JSON.stringify(parse(bad).error?.issues)).toMatch(/migrationCanaryMemos must be a whole number/);
    }
  });
});

describe('revert input and confirmation', () => {
  test('--force needs a reason', () => {
    const r = revertInputSchema.safeParse({ tenantId: 't', by: 'ana', force: true });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/--force needs --reason/);
  });

  test('the prompt names the count and goes ahead only when it is typed back', async () => {
    const ask = async (answer: string) => {
      const input = new PassThrough();
      const output = new PassThrough();
      let shown = '';
      output.on('data', (d: Buffer) => (shown += d.toString()));
      const p = confirmByTyping('Set 120 credit memo(s) back?', '120', { io: { input, output } });
      input.end(`${answer}\n`);
      return { go: await p, shown };
    };
    const yes = await ask('120');
    expect(yes.go).toBe(true);
    expect(yes.shown).toMatch(/Set 120 credit memo\(s\) back\?\nType 120 to go ahead/);
    expect((await ask('y')).go).toBe(false);
    expect(await confirmByTyping('q', '1', { yes: true })).toBe(true);
  });

  test('no terminal and no --yes: nothing is done, a usage error says to pass --yes', async () => {
    const isTTY = process.stdin.isTTY;
    Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true });
    try {
      await expect(confirmByTyping('Set 3 back?', '3')).rejects.toThrow(CliError);
      await expect(confirmByTyping('Set 3 back?', '3')).rejects.toThrow(/pass --yes/);
    } finally {
      Object.defineProperty(process.stdin, 'isTTY', { value: isTTY, configurable: true });
    }
  });
});
