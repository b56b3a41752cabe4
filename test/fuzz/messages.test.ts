// Fuzzing every signal and update of invoiceSettlementUpgrade (fast-check) against a running upgrade on the real dev
// server, parked where an operator must act (prepare.freeze-negative-invoices waiting). Generated messages are
// arbitrary JSON, near-valid objects with one field broken (wrong type, missing, huge, unicode, unknown key), wrong
// step ids, well-formed messages about the wrong step, and messages up to and past every bound of MESSAGE_BOUNDS
// (lengths, key counts, bytes; control characters; secret-shaped data). Properties: an invalid update is refused
// with a message naming the field or step; an invalid signal lands in the audit log as `rejected` with the same
// message; neither changes a step; a message at its bounds is never refused for its size; afterwards the workflow is
// running, answers its status query and takes a valid message.
import fc from 'fast-check';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import {
  MESSAGES,
  MESSAGE_BOUNDS,
  MESSAGE_DEFINITIONS,
  REQUIRED_STEP_DATA,
  STEPS,
  STEP_IDS,
  completeStepUpdate,
  pauseSignal,
  statusQuery,
  type MessageName,
  type StepId,
  type UpgradeStatus,
} from '../../src/shared/upgrade';
import { invoiceSettlementUpgrade } from '../../src/workflows/upgrade/invoice-settlement-upgrade';
import { describeZodError } from '../../src/shared/zod-errors';
import { startStack, type Stack } from '../helpers/stack';
import { devServerEnv, testWorker, uniqueTaskQueue } from '../helpers/temporal';
import { answerFinalCreditMemoSync, stepOf, waitForStep } from '../helpers/upgrade-driver';

// Its own tenant (the worker serves it): the upgrade tests, which run in parallel jest workers on the same dev
// server, start and terminate is-upgrade-demo.
const TENANT = 'fuzz';
const UPDATE_RUNS = 200;
const SIGNAL_RUNS = 150;
const AT_BOUND_RUNS = 60;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let env: TestWorkflowEnvironment;
let stack: Stack;
let worker: Worker;
let running: Promise<void>;
let handle: WorkflowHandle<typeof invoiceSettlementUpgrade>;
let baseline: UpgradeStatus;
const counts = { updates: 0, signals: 0, ms: { updates: 0, signals: 0 } };

beforeAll(async () => {
  env = await devServerEnv();
  stack = await startStack({ tenantId: TENANT });
  stack.zuoraEmulator.admin.seed({ demo: true });
  stack.netsuiteEmulator.admin.seed({ demo: true });
  // Nothing left unsynced to NetSuite: the upgrade goes straight to the first manual step and waits there.
  const s = stack.zuoraEmulator.state;
  for (const r of [...s.invoiceItemAdjustments.values(), ...s.invoices.values()])
    r.IntegrationStatus__NS = 'Sync Complete';
  const taskQueue = uniqueTaskQueue('fuzz');
  ({ worker } = await testWorker(env, stack.activities(env.client, taskQueue), taskQueue));
  running = worker.run();
  handle = await env.client.workflow.start(invoiceSettlementUpgrade, {
    taskQueue,
    workflowId: `is-upgrade-${TENANT}`,
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
    args: [{ tenantId: TENANT, oldConnectorInstanceId: 'old-instance-1' }],
  });
  // The final credit memo sync asks which syncs the tenant had (no schedule here): both off, as the connector ships.
  await answerFinalCreditMemoSync(handle, 'ana@example.com');
  baseline = await waitForStep(handle, 'prepare.freeze-negative-invoices', 'waiting');
});

afterAll(async () => {
  try {
    await handle?.terminate('fuzz test done');
  } catch {
    /* already closed */
  }
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await running;
  await stack?.stop();
  await env?.teardown();
  console.log(
    `fuzz messages (seed ${SEED}): ${counts.updates} invalid updates refused naming the field/step in ` +
      `${counts.ms.updates} ms; ${counts.signals} invalid signals recorded as rejected in ${counts.ms.signals} ms`,
  );
});

// ------------------------------------------------------------------------------------------------------------
// Generators
const by = 'ana@example.com';
const VALID: Record<MessageName, Record<string, unknown>> = {
  invoiceSettlementEnabled: { by },
  provisioningIdsReceived: { by, accountId: 'acc-7781', environmentId: 'env-5521', ticketId: 'T-1' },
  reuseExistingIds: { by, accountId: 'acc-1001', environmentId: 'env-2002' },
  completeStep: { by, stepId: 'prepare.freeze-negative-invoices', data: {} },
  approveStep: { by, stepId: 'migrate.credit-memos', note: 'ok' },
  skipStep: { by, stepId: 'connector.retire-old', reason: 'not needed' },
  retryStep: { by, stepId: 'prepare.final-credit-memo-sync' },
  pause: { by, reason: 'month-end close' },
  resume: { by },
  acknowledgeReadiness: { by, row: 'draft-payments', reason: 'known and accepted' },
};
const NAMES = Object.keys(VALID) as MessageName[];

const unicode = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
const huge = fc.integer({ min: 1_000, max: 20_000 }).chain((n) => fc.constant('x'.repeat(n)));
const wrongStepId = fc
  .oneof(
    unicode,
    fc.constantFrom(...STEP_IDS).map((id) => id.toUpperCase()),
    fc.constantFrom(...STEP_IDS).map((id) => `${id} `),
    fc.constantFrom(...STEP_IDS).map((id) => id.slice(0, -1)),
  )
  .filter((s) => !(STEP_IDS as readonly string[]).includes(s));
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constant(''),
  fc.constant('   '),
  huge,
  unicode,
  wrongStepId,
);

// Up to and past the bounds: text of a given length in characters of 1, 2 and 3 UTF-8 bytes (and JSON-escaped ones).
const B = MESSAGE_BOUNDS;
const textOf = (n: number) => fc.constantFrom('x', 'é', '€', '"', '\\').map((c) => c.repeat(n));
const upTo = (min: number, max: number) => fc.integer({ min, max }).chain(textOf);
const pastBound = (max: number) => fc.integer({ min: max + 1, max: max + 300 }).chain(textOf);
const CONTROL = ['\x1b[2J', '\n', '\r', '\x07', '\x00', '\x7f', '\x9b', '\u202e', '\u2066'];
const withControlChar = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 8 }),
    fc.constantFrom(...CONTROL),
    fc.string({ minLength: 1, maxLength: 8 }),
  )
  .map(([a, c, b]) => `a${a}${c}${b}z`);
const SECRET_VALUES = [
  'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
  'xoxb-' + '123456789012-AbCdEfGhIjKl',
  'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
  'AKIA' + 'IOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1NiJ9' + '.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N',
  '-----BEGIN ' + 'RSA PRIVATE KEY-----',
  'Bearer ' + 'abcdef0123456789abcdef',
  'Zq3vT9xL2mN8pR4sW7yB1cF6hJ0kD5gA',
];
/** completeStep data past a bound: too many keys, a key or value too long, too many bytes, nested, a secret. */
const dataPastBound = fc.oneof(
  fc
    .integer({ min: B.dataKeys + 1, max: B.dataKeys + 80 })
    .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  pastBound(B.dataValueLength).map((v) => ({ note: v })),
  fc.integer({ min: B.dataKeyLength + 1, max: B.dataKeyLength + 100 }).map((n) => ({ ['k'.repeat(n)]: 1 })),
  fc
    .integer({ min: 210, max: 500 })
    .map((n) => Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(n)]))),
  withControlChar.map((v) => ({ note: v })),
  fc.constantFrom(...SECRET_VALUES).map((v) => ({ reference: v })),
  fc.constantFrom('apiKey', 'pwd', 'authToken', 'clientSecret', 'x-api-key').map((k) => ({ [k]: 'x' })),
  fc.constant({ nested: { a: 1 } }),
);
/** A valid message with one bounded field just past its bound (or holding a control character). */
const pastBounds = fc.oneof(
  fc
    .record({ by: fc.oneof(pastBound(B.by), withControlChar) })
    .map((f) => ({ name: 'resume' as const, payload: f, names: 'by' })),
  fc
    .oneof(pastBound(B.text), withControlChar)
    .map((reason) => ({ name: 'pause' as const, payload: { by, reason }, names: 'reason' })),
  fc.oneof(pastBound(B.text), withControlChar).map((reason) => ({
    name: 'skipStep' as const,
    payload: { by, stepId: 'connector.retire-old', reason },
    names: 'reason',
  })),
  fc.oneof(pastBound(B.text), withControlChar).map((note) => ({
    name: 'approveStep' as const,
    payload: { by, stepId: 'migrate.credit-memos', note },
    names: 'note',
  })),
  fc.oneof(pastBound(B.ticketId), withControlChar).map((ticketId) => ({
    name: 'provisioningIdsReceived' as const,
    payload: { by, accountId: 'acc-1', environmentId: 'env-1', ticketId },
    names: 'ticketId',
  })),
  dataPastBound.map((data) => ({
    name: 'completeStep' as const,
    payload: { by, stepId: 'connector.sync-preferences', data },
    names: 'data',
  })),
);
/** Valid messages with every bounded field anywhere up to its bound, about steps they leave as they are. */
const atBounds = fc.oneof(
  upTo(1, B.by).map((b) => ({ name: 'resume' as const, payload: { by: b } })),
  fc.record({ b: upTo(1, B.by), reason: upTo(1, B.text) }).map(({ b, reason }) => ({
    name: 'pause' as const,
    payload: { by: b, reason },
  })),
  fc.record({ b: upTo(1, B.by), reason: upTo(3, B.text) }).map(({ b, reason }) => ({
    name: 'skipStep' as const,
    payload: { by: b, stepId: 'connector.retire-old', reason },
  })),
  fc.record({ b: upTo(1, B.by), note: upTo(0, B.text) }).map(({ b, note }) => ({
    name: 'approveStep' as const,
    payload: { by: b, stepId: 'migrate.credit-memos', note },
  })),
  fc.record({ n: fc.integer({ min: 1, max: B.dataKeys }), seed: fc.nat() }).map(({ n, seed }) => {
    // As many keys as allowed, each as long as the byte budget lets (values in 3-byte characters at worst).
    const keyLength = 1 + (seed % B.dataKeyLength);
    const valueLength = Math.min(B.dataValueLength, Math.floor((B.dataBytes - 2 - n * (keyLength + 6)) / n / 3));
    const data = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `${'k'.repeat(keyLength - 1)}${String.fromCharCode(97 + i)}`,
        '€'.repeat(valueLength),
      ]),
    );
    return { name: 'completeStep' as const, payload: { by, stepId: 'connector.sync-preferences', data } };
  }),
  fc.record({ t: upTo(1, B.ticketId) }).map(({ t }) => ({
    name: 'provisioningIdsReceived' as const,
    payload: {
      by,
      accountId: 'a'.repeat(64),
      environmentId: 'e'.repeat(64),
      ticketId: t.replace(/[^A-Za-z0-9]/g, 'T'),
    },
  })),
);

type Case = { name: MessageName; payload: unknown; names: string };
const schemaInvalid = (c: Case) => !MESSAGES[c.name].safeParse(c.payload).success;

/** Anything at all, as JSON. */
const arbitraryJson = fc
  .record({ name: fc.constantFrom(...NAMES), payload: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }) })
  .map((c): Case => ({ ...c, names: '(payload)' }));

/** A valid message with one field broken: removed, given a wrong value, or an unknown field added. */
const nearValid = fc
  .record({
    name: fc.constantFrom(...NAMES),
    op: fc.constantFrom('delete', 'set', 'unknown'),
    pick: fc.nat(),
    value: wrongValue,
    unknownKey: fc.oneof(fc.constantFrom('clientSecret', 'stepid', 'By', '__proto__x'), unicode),
  })
  .map(({ name, op, pick, value, unknownKey }): Case => {
    const payload = { ...VALID[name] };
    const keys = Object.keys(payload);
    const key = keys[pick % keys.length]!;
    if (op === 'delete') delete payload[key];
    else if (op === 'set') payload[key] = value;
    else payload[unknownKey] = value;
    return { name, payload, names: op === 'unknown' ? unknownKey : key };
  });

/** Well-formed messages about a step they cannot apply to (at this point of the upgrade: built once it is there). */
const stateOf = (id: StepId) => stepOf(baseline, id).state;
const wrongStep = (): fc.Arbitrary<Case> =>
  fc.oneof(
    fc
      .constantFrom(...STEPS.filter((s) => s.kind !== 'manual').map((s) => s.id))
      .map((stepId) => ({ name: 'completeStep' as const, payload: { by, stepId }, names: stepId })),
    fc
      .constantFrom(...STEP_IDS.filter((id) => id !== 'migrate.credit-memos'))
      .map((stepId) => ({ name: 'approveStep' as const, payload: { by, stepId }, names: stepId })),
    fc
      .constantFrom(...STEP_IDS.filter((id) => stateOf(id) !== 'failed'))
      .map((stepId) => ({ name: 'retryStep' as const, payload: { by, stepId }, names: stepId })),
    fc
      .constantFrom(...STEP_IDS.filter((id) => stateOf(id) === 'done'))
      .map((stepId) => ({ name: 'skipStep' as const, payload: { by, stepId, reason: 'fuzz' }, names: stepId })),
    fc
      .record({
        stepId: fc.constantFrom(...(Object.keys(REQUIRED_STEP_DATA) as StepId[])),
        value: fc.oneof(fc.constant(undefined), fc.constant(''), fc.constant('has space'), fc.integer(), fc.boolean()),
      })
      .map(({ stepId, value }) => ({
        name: 'completeStep' as const,
        payload: { by, stepId, data: value === undefined ? {} : { [REQUIRED_STEP_DATA[stepId]!.key]: value } },
        names: stepId,
      })),
  );

const invalidMessage = (): fc.Arbitrary<Case> =>
  fc.oneof(
    { arbitrary: arbitraryJson.filter(schemaInvalid), weight: 2 },
    { arbitrary: nearValid.filter(schemaInvalid), weight: 5 },
    { arbitrary: wrongStep(), weight: 2 },
    { arbitrary: pastBounds.filter(schemaInvalid), weight: 3 },
  );

/** The reason the workflow gives: the zod issues (field paths) for a malformed message, the step for the rest. */
function expectNamesWhatIsWrong(c: Case, reason: string): void {
  const parsed = MESSAGES[c.name].safeParse(c.payload);
  if (!parsed.success) {
    // zod names the type it received from the object's realm: "received Object" for jest's objects, "received
    // object" inside the workflow sandbox. The same words otherwise.
    const sameRealm = (text: string) => text.replace(/received Object\b/g, 'received object');
    const expected = sameRealm(`Invalid ${c.name}: ${describeZodError(parsed.error)}`);
    reason = sameRealm(reason);
    // The audit log keeps the first 1,000 characters of a very long reason.
    expect(reason === expected || reason.startsWith(`${expected.slice(0, 1_000)}… (`)).toBe(true);
    // Not a generic error: it names the field (or the unknown key) that is wrong.
    expect(expected.includes(c.names) || c.names === '(payload)').toBe(true);
  } else {
    expect(reason).toContain(`step ${c.names}`);
  }
}

const UPDATES = Object.fromEntries(Object.entries(MESSAGE_DEFINITIONS).map(([name, d]) => [name, d.update])) as {
  [K in MessageName]: (typeof MESSAGE_DEFINITIONS)[K]['update'];
};
const SIGNALS = Object.fromEntries(Object.entries(MESSAGE_DEFINITIONS).map(([name, d]) => [name, d.signal])) as {
  [K in MessageName]: (typeof MESSAGE_DEFINITIONS)[K]['signal'];
};

/** Queries until `predicate` holds: the signal is applied by the worker, asynchronously. */
async function statusWhen(predicate: (s: UpgradeStatus) => boolean, what: string): Promise<UpgradeStatus> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await handle.query(statusQuery);
    if (predicate(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// ------------------------------------------------------------------------------------------------------------
test(`${UPDATE_RUNS} invalid updates are each refused with a message naming the field or step; nothing changes`, async () => {
  const started = Date.now();
  const auditBefore = (await handle.query(statusQuery)).audit.length;
  await fc.assert(
    fc.asyncProperty(invalidMessage(), async (c) => {
      counts.updates++;
      let reason: string | undefined;
      try {
        await handle.executeUpdate(UPDATES[c.name] as never, { args: [c.payload] as never });
      } catch (err) {
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        reason = (err as WorkflowUpdateFailedError).cause?.message;
      }
      expect(reason).toBeDefined();
      expectNamesWhatIsWrong(c, reason!);
    }),
    { numRuns: UPDATE_RUNS, seed: SEED, endOnFailure: true },
  );
  counts.ms.updates = Date.now() - started;
  // Refused by the validator: not in history, not in the audit log, no step touched.
  const after = await handle.query(statusQuery);
  expect(after.steps).toEqual(baseline.steps);
  expect(after.audit).toHaveLength(auditBefore);
});

test(`${SIGNAL_RUNS} invalid signals are each recorded as rejected with the reason; no step changes`, async () => {
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(invalidMessage(), async (c) => {
      counts.signals++;
      const before = (await handle.query(statusQuery)).audit.length;
      await handle.signal(SIGNALS[c.name] as never, c.payload as never);
      const s = await statusWhen((x) => x.audit.length > before, `the ${c.name} signal in the audit log`);
      expect(s.audit).toHaveLength(before + 1);
      const entry = s.audit.at(-1)!;
      expect(entry).toMatchObject({ message: c.name, outcome: 'rejected' });
      expectNamesWhatIsWrong(c, entry.detail);
      expect(s.steps).toEqual(baseline.steps);
    }),
    { numRuns: SIGNAL_RUNS, seed: SEED, endOnFailure: true },
  );
  counts.ms.signals = Date.now() - started;
});

test('a flood of huge invalid signals cannot grow the status past what a query can answer', async () => {
  // Each signal is well under the 2 MB payload limit; unbounded in the audit log, 30 of them would pass gRPC's 4 MB.
  const big = 'b'.repeat(200_000);
  const before = (await handle.query(statusQuery)).audit.length;
  for (let i = 0; i < 30; i++) {
    await handle.signal(pauseSignal as never, { by: big, reason: 'r', [big.slice(0, 100_000)]: 1 } as never);
  }
  const s = await statusWhen((x) => x.audit.length >= before + 30, 'the 30 huge signals in the audit log');
  const added = s.audit.slice(before);
  expect(added.every((a) => a.outcome === 'rejected' && /^Invalid pause: by: /.test(a.detail))).toBe(true);
  expect(JSON.stringify(added).length).toBeLessThan(30 * 2_000);
  expect(s.steps).toEqual(baseline.steps);
});

test(`${AT_BOUND_RUNS} messages at their bounds are never refused for their size`, async () => {
  await fc.assert(
    fc.asyncProperty(atBounds, async (c) => {
      expect(MESSAGES[c.name].safeParse(c.payload).success).toBe(true);
      try {
        await handle.executeUpdate(UPDATES[c.name] as never, { args: [c.payload] as never });
      } catch (err) {
        // Refused for the step (not come yet, not waiting for approval), never for a field.
        expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/^step /);
      }
    }),
    { numRuns: AT_BOUND_RUNS, seed: SEED, endOnFailure: true },
  );
  // The pause among them is lifted, so that the last test can move the upgrade on.
  await handle.executeUpdate(UPDATES.resume, { args: [{ by }] });
  expect((await handle.query(statusQuery)).paused).toBeNull();
});

test('after the fuzzing the upgrade is running, answers, and a valid message still moves it on', async () => {
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const outcome = await handle.executeUpdate(completeStepUpdate, {
    args: [{ by, stepId: 'prepare.freeze-negative-invoices' }],
  });
  expect(outcome.outcome).toBe('accepted');
  const s = await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  expect(stepOf(s, 'prepare.freeze-negative-invoices')).toMatchObject({ state: 'done', by });
});
