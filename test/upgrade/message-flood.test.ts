// One message must never wedge an upgrade (issue 16 point 1), on the real dev server: the largest accepted message
// of each kind, sent many times as signals and as updates, and oversized ones (the probes: a 1 MB skip
// reason, a 1.5 MB pause reason, 4,000 keys of step data), leave a workflow whose state stays under its computed
// worst case, that answers `status`, and that an operator then drives to the end. Also: a step that has not come yet
// cannot be skipped.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { deleteSyncSchedule } from '../../src/temporal/schedules';
import { jsonBytes, utf8Bytes } from '../../src/shared/text';
import {
  MESSAGES,
  MESSAGE_BOUNDS,
  MESSAGE_DEFINITIONS,
  REQUIRED_STEP_DATA,
  statusQuery,
  type MessageName,
  type StepId,
  type UpgradeStatus,
} from '../../src/shared/upgrade';
import { AUDIT_BOUNDS, MAX_DETAILS_BYTES, WORST_CASE_STATE_BYTES } from '../../src/shared/upgrade-bounds';
import { renderUpgradeMarkdown } from '../../src/workflows/upgrade/render';
import { recordHistory } from '../helpers/histories';
import { STEP_DATA_SECRET_CANARIES, decodedPayloads } from '../secret-scan';
import { useWorkflowSuite } from '../helpers/suite';
import { startUpgradeAtFreeze } from '../helpers/upgrade-at-freeze';
import { stepOf, waitForStatus, waitForStep } from '../helpers/upgrade-driver';

// Its own tenant: the other upgrade tests run in parallel on the same dev server.
const TENANT = 'flood';
const suite = useWorkflowSuite({ queue: 'flood', stack: { tenantId: TENANT } });
const ROUNDS = 16;
const B = MESSAGE_BOUNDS;

/** The most a field may hold, in 3-byte characters (the most bytes per character an accepted message can have). */
const most = (n: number) => '€'.repeat(n);
const BY = `${'€'.repeat(B.by - 12)}@example.com`;
/** The largest data a completion may carry: 20 keys, as long a value each as the byte bound lets. */
function largestData(stepId: StepId): Record<string, string> {
  const need = REQUIRED_STEP_DATA[stepId];
  for (let length = B.dataValueLength; ; length--) {
    const data: Record<string, string> = {};
    for (let i = 0; data && Object.keys(data).length < B.dataKeys; i++) {
      data[`${'k'.repeat(B.dataKeyLength - 3)}${String(i).padStart(3, '0')}`] = most(length);
    }
    if (need) {
      delete data[Object.keys(data)[0]!];
      data[need.key] = `${need.key.slice(0, 5)}-1`;
    }
    if (jsonBytes(data) <= B.dataBytes) return data;
  }
}
const EARLY_COMPLETIONS: StepId[] = [
  'connector.oauth-client',
  'connector.new-instance',
  'connector.instance-credentials',
  'connector.support-ticket',
  'connector.sync-preferences',
  'payments.zuora-sync-updates-default',
];
const LARGEST: { name: MessageName; payload: Record<string, unknown> }[] = [
  { name: 'invoiceSettlementEnabled', payload: { by: BY } },
  {
    name: 'provisioningIdsReceived',
    payload: { by: BY, accountId: 'a'.repeat(64), environmentId: 'e'.repeat(64), ticketId: 'T'.repeat(B.ticketId) },
  },
  ...EARLY_COMPLETIONS.map((stepId) => ({
    name: 'completeStep' as const,
    payload: { by: BY, stepId, data: largestData(stepId) },
  })),
  { name: 'approveStep', payload: { by: BY, stepId: 'migrate.credit-memos', note: most(B.text) } },
  { name: 'skipStep', payload: { by: BY, stepId: 'connector.retire-old', reason: most(B.text) } },
  { name: 'retryStep', payload: { by: BY, stepId: 'schedules.switch' } },
  { name: 'pause', payload: { by: BY, reason: most(B.text) } },
];
const OVERSIZED: { name: MessageName; payload: Record<string, unknown>; names: RegExp }[] = [
  {
    name: 'skipStep',
    payload: { by: 'mallory', stepId: 'prepare.freeze-negative-invoices', reason: 's'.repeat(1_000_000) },
    names: /reason: reason must be at most 1000 characters/,
  },
  {
    name: 'pause',
    payload: { by: 'mallory', reason: 'p'.repeat(1_500_000) },
    names: /reason: reason must be at most 1000/,
  },
  {
    name: 'completeStep',
    payload: {
      by: 'mallory',
      stepId: 'connector.retire-old',
      data: Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`key${i}`, 'x'.repeat(400)])),
    },
    names: /data: data must have at most 20 keys/,
  },
  { name: 'resume', payload: { by: `\x1b[2J${'b'.repeat(10_000)}` }, names: /by: "by" must be at most 200 characters/ },
];

/** Every message is accepted for its size: a refusal (update) or rejection (signal) is about the step, never a field. */
async function send(handle: WorkflowHandle, name: MessageName, payload: unknown, how: 'signal' | 'update') {
  const def = MESSAGE_DEFINITIONS[name];
  if (how === 'signal') return handle.signal(def.signal as never, payload as never);
  try {
    await handle.executeUpdate(def.update as never, { args: [payload] as never });
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((err as WorkflowUpdateFailedError).cause?.message).toMatch(/^step /);
  }
}

function expectBounded(s: UpgradeStatus) {
  expect(jsonBytes(s)).toBeLessThanOrEqual(WORST_CASE_STATE_BYTES);
  expect(jsonBytes(s.audit)).toBeLessThanOrEqual(AUDIT_BOUNDS.bytes);
  expect(utf8Bytes(renderUpgradeMarkdown(s))).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
}

const measured: Record<string, number> = {};
afterEach(async () => {
  await deleteSyncSchedule(suite.env.client, 'credit-memo', TENANT);
  await deleteSyncSchedule(suite.env.client, 'payment', TENANT);
});

const startAtFreeze = () => startUpgradeAtFreeze(suite, TENANT, BY);

test('a step that has not come yet cannot be skipped; the current one can', async () => {
  const handle = await startAtFreeze();
  const refused = handle.executeUpdate(MESSAGE_DEFINITIONS.skipStep.update, {
    args: [{ by: 'ana@example.com', stepId: 'connector.retire-old', reason: 'we never used it' }],
  });
  await expect(refused).rejects.toThrow(WorkflowUpdateFailedError);
  const reason = await refused.catch((e: WorkflowUpdateFailedError) => e.cause?.message);
  expect(reason).toBe(
    'step connector.retire-old has not come yet; the upgrade is at step prepare.freeze-negative-invoices; skip it when it comes',
  );
  await handle.signal(MESSAGE_DEFINITIONS.skipStep.signal, {
    by: 'ana@example.com',
    stepId: 'connector.retire-old',
    reason: 'we never used it',
  });
  let s = await waitForStatus(handle, (x) => x.audit.some((a) => a.message === 'skipStep'), 'the skip signal');
  expect(s.audit.find((a) => a.message === 'skipStep')).toMatchObject({ outcome: 'rejected', detail: reason });
  expect(stepOf(s, 'connector.retire-old').state).toBe('pending');
  // The step the upgrade is at can be skipped.
  await handle.executeUpdate(MESSAGE_DEFINITIONS.skipStep.update, {
    args: [{ by: 'ana@example.com', stepId: 'prepare.freeze-negative-invoices', reason: 'frozen by policy' }],
  });
  s = await waitForStep(handle, 'enable-invoice-settlement', 'waiting');
  expect(stepOf(s, 'prepare.freeze-negative-invoices').state).toBe('skipped');
  await recordHistory(handle, 'upgrade-strict-messages');
  await handle.terminate('test done');
});

test('secret-shaped step data is refused naming the key, never echoed, and never reaches history', async () => {
  const handle = await startAtFreeze();
  for (const [i, value] of STEP_DATA_SECRET_CANARIES.entries()) {
    const key = `reference${i}`;
    const reason = await handle
      .executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, {
        args: [{ by: 'ana@example.com', stepId: 'prepare.freeze-negative-invoices', data: { [key]: value } }],
      })
      .then(
        () => 'accepted',
        (e: WorkflowUpdateFailedError) => String(e.cause?.message),
      );
    expect(reason).toMatch(new RegExp(`^Invalid completeStep: data\\.${key}: the value looks like .*never a secret$`));
    expect(reason).not.toContain(value);
  }
  // Legitimate ids in the same place are taken.
  const ok = await handle.executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, {
    args: [
      {
        by: 'ana@example.com',
        stepId: 'prepare.freeze-negative-invoices',
        data: {
          zuoraId: '8a1f9c2e4b6d8f0a1c3e5a7b9d1f3e5a',
          uuid: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
          ticket: 'INC-42',
        },
      },
    ],
  });
  expect(ok.outcome).toBe('accepted');
  const history = historyToJSON(await handle.fetchHistory());
  const text = history + decodedPayloads(history);
  for (const value of STEP_DATA_SECRET_CANARIES)
    expect({ value, inHistory: text.includes(value) }).toEqual({ value, inHistory: false });
  expect(text).toContain('8a1f9c2e4b6d8f0a1c3e5a7b9d1f3e5a'); // the scan does see the data that was accepted
  await handle.terminate('test done');
});

test('the largest messages many times and oversized ones: status answers, state stays bounded, the upgrade completes', async () => {
  const handle = await startAtFreeze();
  // So that the kept invoiceSettlementEnabled claim is confirmed when its step comes.
  suite.stack.zuoraEmulator.admin.enableInvoiceSettlement();
  for (const m of LARGEST) expect(MESSAGES[m.name].safeParse(m.payload).success).toBe(true);

  for (let round = 0; round < ROUNDS; round++) {
    for (const m of LARGEST) {
      await send(handle, m.name, m.payload, 'signal');
      await send(handle, m.name, m.payload, 'update');
    }
    if (round < 2 || round === ROUNDS - 1) {
      for (const o of OVERSIZED) {
        // An update is refused before it reaches history, naming the field and its bound ...
        const refused = handle.executeUpdate(MESSAGE_DEFINITIONS[o.name].update as never, {
          args: [o.payload] as never,
        });
        const reason = await refused.then(
          () => 'accepted',
          (e: WorkflowUpdateFailedError) => String(e.cause?.message),
        );
        expect(reason).toMatch(o.names);
        // ... a signal is recorded as rejected, clipped.
        await handle.signal(MESSAGE_DEFINITIONS[o.name].signal as never, o.payload as never);
      }
    }
    expectBounded(await handle.query(statusQuery));
  }
  const s = await waitForStatus(
    handle,
    (x) => x.audit.filter((a) => a.outcome === 'rejected' && /^Invalid /.test(a.detail)).length > 0,
    'the oversized signals in the audit log',
  );
  expectBounded(s);
  measured.statusBytes = jsonBytes(s);
  measured.auditBytes = jsonBytes(s.audit);
  measured.auditEntries = s.audit.length;
  measured.detailsBytes = utf8Bytes(renderUpgradeMarkdown(s));
  const rejected = s.audit.filter((a) => a.outcome === 'rejected' && /^Invalid /.test(a.detail));
  expect(rejected.every((a) => a.detail.length <= AUDIT_BOUNDS.detail + 30)).toBe(true);
  expect(s.paused).toMatchObject({ reason: most(B.text) });
  expect(stepOf(s, 'prepare.freeze-negative-invoices').state).toBe('waiting');

  // Then an operator drives it to the end; the kept messages (ids, completions, the claim) are used as steps come.
  await handle.executeUpdate(MESSAGE_DEFINITIONS.resume.update, { args: [{ by: BY }] });
  await handle.executeUpdate(MESSAGE_DEFINITIONS.completeStep.update, {
    args: [
      { by: BY, stepId: 'prepare.freeze-negative-invoices', data: largestData('prepare.freeze-negative-invoices') },
    ],
  });
  await waitForStep(handle, 'migrate.credit-memos', 'waiting');
  await handle.executeUpdate(MESSAGE_DEFINITIONS.approveStep.update, {
    args: [{ by: BY, stepId: 'migrate.credit-memos', note: most(B.text) }],
  });
  await waitForStep(handle, 'connector.retire-old', 'waiting');
  await handle.executeUpdate(MESSAGE_DEFINITIONS.skipStep.update, {
    args: [{ by: BY, stepId: 'connector.retire-old', reason: most(B.text) }],
  });
  const final: UpgradeStatus = await handle.result();
  expectBounded(final);
  measured.finalBytes = jsonBytes(final);
  expect(final.phase).toBe('done');
  // The re-use path's steps are not needed (the provisioning ids came): skipped by the workflow itself.
  expect(final.steps.filter((x) => x.state !== 'done').map((x) => [x.id, x.state])).toEqual([
    ['connector.existing-ids', 'skipped'],
    ['connector.new-oauth-client', 'skipped'],
    ['connector.retire-old', 'skipped'],
  ]);
  expect(stepOf(final, 'connector.provisioning-ids').data).toMatchObject({ accountId: 'a'.repeat(64) });
  expect(stepOf(final, 'connector.sync-preferences').by).toBe(BY);
  console.log(`message flood: ${JSON.stringify(measured)} (worst case ${WORST_CASE_STATE_BYTES} bytes)`);
});
