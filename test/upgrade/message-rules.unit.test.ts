// The operator messages' rules without a server (issue 16 points 1, 3 and 4): every field's bound, control
// characters, secrets in step data (by key and by value), and the escaping of operators' text for a terminal, a
// markdown document and a Slack notification. The workflow applies the same schemas (test/upgrade/message-flood).
import { renderChecklist as renderTerminal } from '../../src/client/render';
import { toSlackMessage } from '../../src/notifier/notifier';
import { escapeMarkdown, escapeSlack, escapeTerminal } from '../../src/shared/escape';
import { isSecretKey, secretShapeOf } from '../../src/shared/secrets';
import { hasControlChars, jsonBytes, utf8Bytes } from '../../src/shared/text';
import { MESSAGES, MESSAGE_BOUNDS, STEPS, type MessageName, type UpgradeStatus } from '../../src/shared/upgrade';
import { MAX_DETAILS_BYTES, WORST_CASE_STATE_BYTES } from '../../src/shared/upgrade-bounds';
import { describeZodError } from '../../src/shared/zod-errors';
import { renderUpgradeMarkdown as renderMarkdown } from '../../src/workflows/upgrade/render';

const by = 'ana@example.com';
function refusal(name: MessageName, payload: unknown): string {
  const r = MESSAGES[name].safeParse(payload);
  if (r.success) throw new Error(`${name} ${JSON.stringify(payload).slice(0, 200)} was accepted`);
  return describeZodError(r.error);
}
const accepted = (name: MessageName, payload: unknown) => MESSAGES[name].safeParse(payload).success;
const data20 = (value: string) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, value]));

describe('bounds: the largest message of each kind is accepted, one more is refused naming the field and bound', () => {
  const B = MESSAGE_BOUNDS;
  test.each([
    [
      'pause',
      { by, reason: 'r'.repeat(B.text) },
      { by, reason: 'r'.repeat(B.text + 1) },
      'reason: reason must be at most 1000 characters',
    ],
    [
      'skipStep',
      { by, stepId: STEPS[0].id, reason: 'r'.repeat(B.text) },
      { by, stepId: STEPS[0].id, reason: 'r'.repeat(B.text + 1) },
      'reason: reason must be at most 1000 characters',
    ],
    [
      'approveStep',
      { by, stepId: 'migrate.credit-memos', note: 'n'.repeat(B.text) },
      { by, stepId: 'migrate.credit-memos', note: 'n'.repeat(B.text + 1) },
      'note: note must be at most 1000 characters',
    ],
    ['resume', { by: 'b'.repeat(B.by) }, { by: 'b'.repeat(B.by + 1) }, 'by: "by" must be at most 200 characters'],
    [
      'provisioningIdsReceived',
      { by, accountId: 'a'.repeat(64), environmentId: 'e'.repeat(64), ticketId: 'T'.repeat(B.ticketId) },
      { by, accountId: 'a-1', environmentId: 'e-1', ticketId: 'T'.repeat(B.ticketId + 1) },
      'ticketId: ticketId must be 1-64',
    ],
    [
      'completeStep',
      { by, stepId: 'connector.retire-old', data: data20('v'.repeat(190)) },
      { by, stepId: 'connector.retire-old', data: { ...data20('v'), k20: 'v' } },
      'data: data must have at most 20 keys',
    ],
    [
      'completeStep',
      { by, stepId: 'connector.retire-old', data: { note: 'v'.repeat(B.dataValueLength) } },
      { by, stepId: 'connector.retire-old', data: { note: 'v'.repeat(B.dataValueLength + 1) } },
      'data.note: must be at most 500 characters',
    ],
    [
      'completeStep',
      { by, stepId: 'connector.retire-old', data: { ['k'.repeat(B.dataKeyLength)]: 1 } },
      { by, stepId: 'connector.retire-old', data: { ['k'.repeat(B.dataKeyLength + 1)]: 1 } },
      'data keys must be names of 1-64',
    ],
    [
      'completeStep',
      { by, stepId: 'connector.retire-old', data: data20('v'.repeat(190)) },
      { by, stepId: 'connector.retire-old', data: data20('v'.repeat(210)) },
      'data: data must be at most 4096 bytes as JSON',
    ],
  ] as const)('%s', (name, largest, tooLarge, names) => {
    expect(accepted(name, largest)).toBe(true);
    expect(refusal(name, tooLarge)).toContain(names);
  });

  test('4,000 keys of step data cost one issue, not 4,000', () => {
    const huge = Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`key${i}`, 'x'.repeat(400)]));
    expect(refusal('completeStep', { by, stepId: 'connector.retire-old', data: huge })).toBe(
      'data: data must have at most 20 keys',
    );
  });

  test('step data is flat: no objects or arrays as values', () => {
    expect(refusal('completeStep', { by, stepId: 'connector.retire-old', data: { a: { b: 1 } } })).toMatch(
      /^data\.a: /,
    );
    expect(refusal('completeStep', { by, stepId: 'connector.retire-old', data: { a: [1] } })).toMatch(/^data\.a: /);
  });
});

describe('control characters are refused in `by`, ids and free text, naming the field', () => {
  const hostile = ['\x1b[2J', 'a\nb', 'bell\x07', 'del\x7f', 'c1\x9b31m', 'rtl\u202eevil', 'iso\u2066x', 'tab\there'];
  test.each(hostile)('%j', (h) => {
    expect(refusal('resume', { by: `ana${h}x` })).toContain('by: "by" must not contain control characters');
    expect(refusal('pause', { by, reason: `month${h}end` })).toContain('reason: reason must not contain control');
    expect(refusal('skipStep', { by, stepId: STEPS[0].id, reason: `why${h}not` })).toContain('reason: ');
    expect(refusal('approveStep', { by, stepId: 'migrate.credit-memos', note: `ok${h}ok` })).toContain('note: ');
    expect(refusal('completeStep', { by, stepId: 'connector.retire-old', data: { v: `x${h}x` } })).toContain(
      'data.v: must not contain control characters',
    );
    expect(
      refusal('provisioningIdsReceived', { by, accountId: 'acc-1', environmentId: 'env-1', ticketId: `T${h}1` }),
    ).toContain('ticketId: ');
  });
  test('plain unicode text is fine', () => {
    expect(accepted('pause', { by: 'Zoë Ødegård <zoe@example.com>', reason: 'clôture de fin de mois — 月末' })).toBe(
      true,
    );
  });
});

describe('step data is screened for secrets by key name and by value, never echoing the value', () => {
  const complete = (data: Record<string, unknown>) => ({ by, stepId: 'connector.retire-old', data });
  test.each([
    'apiKey',
    'api_key',
    'x-api-key',
    'pwd',
    'pass',
    'authToken',
    'auth',
    'bearer',
    'clientSecret',
    'password',
    'privateKey',
    'sessionCookie',
    'accessKey',
  ])('key %s', (key) => {
    expect(isSecretKey(key)).toBe(true);
    expect(refusal('completeStep', complete({ [key]: 'x' }))).toContain(`data.${key}: this key names a secret`);
  });
  test.each(['oauthClientId', 'newInstanceId', 'ticketId', 'tokenId', 'passes', 'author', 'environmentId', 'keyCount'])(
    'key %s is an ordinary name',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
      expect(accepted('completeStep', complete({ [key]: 'abc-123' }))).toBe(true);
    },
  );
  const SECRETS = {
    stripeLive: 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
    stripeTest: 'sk_test_' + '51H8abcdEFGH1234ijkl',
    slackBot: 'xoxb-' + '123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
    slackUser: 'xoxp-' + '1234567890-abcdefghij',
    github: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
    aws: 'AKIA' + 'IOSFODNN7EXAMPLE',
    jwt: 'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    pem: '-----BEGIN ' + 'PRIVATE KEY-----MIIEvQ',
    bearer: 'Bearer ' + 'abcdef0123456789abcdef',
    urlWithPassword: 'https://admin:' + 'hunter22@example.com/x',
    randomKey: 'Zq3vT9xL2mN8pR4sW7yB1cF6hJ0kD5gA', // 32 characters, base62, high entropy
    awsSecretKey: 'wJalrXUtnFEMI/K7MDENG/' + 'bPxRfiCYEXAMPLEKEY',
  };
  test.each(Object.entries(SECRETS))('value %s', (name, value) => {
    expect(secretShapeOf(value)).toBeDefined();
    const reason = refusal('completeStep', complete({ reference: value }));
    expect(reason).toMatch(/^data\.reference: the value looks like .*: step data takes ids only, never a secret$/);
    expect(reason).not.toContain(value);
    expect(reason).not.toContain(value.slice(8, 20));
  });
  const IDS = {
    uuid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    zuoraId: '8a1f9c2e4b6d8f0a1c3e5a7b9d1f3e5a',
    zuoraIdUpper: '2C92C0F96ABC17DE016ABD62BD0A6F4B',
    ticket: 'INC-0012345',
    ticketHash: '#48213',
    netsuiteInternalId: '1234567',
    instance: 'new-instance-2',
    oauthClient: 'oauth-client-42',
    sentence: 'configured as described in the runbook, section 4.2',
    longSlug: 'netsuite-connector-instance-production-eu-west-1',
  };
  test.each(Object.entries(IDS))('id %s is accepted', (_, value) => {
    expect(secretShapeOf(value)).toBeUndefined();
    expect(accepted('completeStep', complete({ reference: value }))).toBe(true);
  });
});

describe('escaping what operators wrote', () => {
  const attacks = [
    '![x](http://evil.example/pixel.png)',
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '| forged | row |',
    '# heading',
    '**bold** _it_ `code`',
    '<script>alert(1)</script>',
  ];
  test.each(attacks)('markdown: %s is text', (a) => {
    const e = escapeMarkdown(a);
    // Every markdown/HTML special character is backslash-escaped: none is left bare.
    expect(e.replace(/\\[\\`*_{}[\]()#+\-.!|<>~:]/g, '')).not.toMatch(/[\\`*_{}[\]()#+\-.!|<>~:]/);
  });
  test('markdown: a newline cannot start a new block', () => {
    expect(escapeMarkdown('ok\n# forged')).toBe('ok\\\\n\\# forged');
  });
  test('terminal: ANSI, OSC hyperlinks, bells, carriage returns and bidi overrides are shown, not interpreted', () => {
    const raw = '\x1b[2J\x1b]8;;http://evil\x07link\x1b]8;;\x07\rover\u202eevil\x9b';
    const e = escapeTerminal(raw);
    expect(hasControlChars(e)).toBe(false);
    expect(e).toBe('\\x1b[2J\\x1b]8;;http://evil\\x07link\\x1b]8;;\\x07\\rover\\u202eevil\\x9b');
  });
  test('slack: <!channel>, <@user> and <url|label> cannot form; lines stay', () => {
    expect(escapeSlack('hi <!channel> & <http://evil|bank>\nnext\x1b')).toBe(
      'hi &lt;!channel&gt; &amp; &lt;http://evil|bank&gt;\nnext\\x1b',
    );
  });

  const hostile = '\x1b[2J<img src=x onerror=alert(1)>\n| forged | row |';
  const status: UpgradeStatus = {
    tenantId: 'demo',
    workflowId: 'is-upgrade-demo',
    phase: 'prepare',
    currentStep: STEPS[2].id,
    waitingOn: 'operator',
    paused: { by: `mallory${hostile}`, reason: hostile, at: '2026-01-31T10:00:00.000Z' },
    dryRun: false,
    steps: STEPS.map((s) => ({
      id: s.id,
      title: s.title,
      kind: s.kind,
      state: 'failed',
      by: hostile.repeat(20),
      note: hostile.repeat(100),
      error: hostile.repeat(100),
      data: { note: hostile },
      attempts: 1,
    })),
    migration: {},
    syncs: {},
    openReminders: [],
    audit: Array.from({ length: 2_000 }, () => ({
      at: '2026-01-31T10:00:00.000Z',
      message: 'pause' as const,
      by: hostile.repeat(20),
      outcome: 'rejected' as const,
      detail: hostile.repeat(100),
    })),
    startedAt: '2026-01-31T09:00:00.000Z',
    finishedAt: null,
  };

  test('the terminal checklist shows the hostile text escaped, with no control character and no forged line', () => {
    const out = renderTerminal(status);
    expect(hasControlChars(out.replace(/\n/g, ''))).toBe(false); // its own lines only
    expect(out).toContain('PAUSED by mallory\\x1b[2J<img src=x onerror=alert(1)>\\n| forged | row |');
    expect(out.split('\n').filter((l) => l.startsWith('| forged'))).toHaveLength(0);
  });

  test('the markdown checklist escapes every field and stays under MAX_DETAILS_BYTES', () => {
    const md = renderMarkdown(status);
    expect(utf8Bytes(md)).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(md).not.toMatch(/(^|[^\\])<img/);
    expect(md).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(md.split('\n').filter((l) => l.startsWith('| forged') || l.startsWith('# '))).toHaveLength(0);
    expect(hasControlChars(md.replace(/\n/g, ''))).toBe(false);
  });

  test('a Slack notification escapes its title and text', () => {
    const m = toSlackMessage({
      kind: 'failure',
      tenantId: 'demo',
      workflowId: 'is-upgrade-demo',
      title: 'Step failed: <!channel>',
      text: 'error from <http://evil|Zuora> & co',
      dedupeKey: 'k',
    });
    expect(JSON.stringify(m)).not.toMatch(/<!channel>|<http/);
    expect(m.text).toContain('&lt;!channel&gt;');
  });
});

test('the worst case of the state is computed and under Temporal’s 512 KB payload warning', () => {
  expect(WORST_CASE_STATE_BYTES).toBeLessThanOrEqual(512 * 1024);
  // jsonBytes counts UTF-8: 3 bytes for €, 4 for an emoji, 6 for an escaped control character.
  expect(jsonBytes('€😀\x1b')).toBe(2 + 3 + 4 + 6);
});
