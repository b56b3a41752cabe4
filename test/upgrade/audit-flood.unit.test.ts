// Issue 15 point 5 without a server: what lets the upgrade continue as new under a flood of signals
// (CONTINUE_AS_NEW_UNDER_FLOOD, src/workflows/upgrade/audit-export.ts). An export takes only what waits when it starts,
// the waiting entries go along in the carry instead of being waited out, and the size of what waits is kept as it
// grows rather than measured again after every signal. test/upgrade/audit-flood.test.ts runs the flood on a server.
import { jsonBytes } from '../../src/shared/text';
import {
  AUDIT_EXPORT,
  CARRY_BYTES,
  boundCarry,
  exportAll,
  waitingBytes,
} from '../../src/workflows/upgrade/audit-export';
import { initialState, recordAudit, type UpgradeState } from '../../src/workflows/upgrade/state';

const AT = '2026-03-01T10:00:00.000Z';
const exporting = (): UpgradeState => ({
  ...initialState(true, undefined, AT),
  auditLog: { report: null, recorded: 0, exported: 0, unexported: [] },
});
const rejected = (u: UpgradeState, i: number) =>
  recordAudit(
    u,
    {
      message: 'retryStep',
      by: `flood-${i}@example.com`,
      stepId: 'schedules.switch',
      outcome: 'rejected',
      detail: 'step schedules.switch is not failed (state pending); only a failed step can be retried',
    },
    AT,
  );

test('the size of what waits for export, kept as entries come and go, is the size measured afresh', async () => {
  const u = exporting();
  const waiting = u.auditLog!.unexported;
  // Measured as the export's batches are (an upper bound: a comma counted after the last entry too).
  const measured = (es: typeof waiting) => es.reduce((n, e) => n + jsonBytes(e) + 1, 2);
  expect(waitingBytes(waiting)).toBe(measured(waiting));
  for (let i = 0; i < 700; i++) {
    rejected(u, i);
    if (i % 97 === 0) expect(waitingBytes(waiting)).toBe(measured(waiting));
  }
  expect(waitingBytes(waiting)).toBe(measured(waiting));
  await exportAll(u, async () => ({ report: 'r' }), true);
  expect(waitingBytes(waiting)).toBe(measured(waiting));
  rejected(u, 700);
  expect(waitingBytes(waiting)).toBe(measured(waiting));
});

test('under a flood an export takes what waited when it started: entries that come meanwhile wait for the next', async () => {
  const u = exporting();
  for (let i = 0; i < 1_000; i++) rejected(u, i);
  const written: number[] = [];
  // Every batch written brings new signals, as a flood does: exporting until nothing waits would never end.
  await exportAll(
    u,
    async (entries) => {
      written.push(...entries.map((e) => e.seq!));
      for (let k = 0; k < 50; k++) rejected(u, 10_000 + written.length + k);
      return { report: 'r' };
    },
    true,
  );
  expect(written.slice(0, 1_000)).toEqual(Array.from({ length: 1_000 }, (_, i) => i + 1));
  expect(u.auditLog!.exported).toBe(written.length);
  // What came meanwhile waits, numbered on from the last one written: nothing lost, nothing twice.
  expect(u.auditLog!.unexported.map((e) => e.seq)).toEqual(
    Array.from({ length: u.auditLog!.recorded - written.length }, (_, i) => written.length + i + 1),
  );
  expect(u.auditLog!.unexported.length).toBeGreaterThan(0);
});

test('the carry under a flood: what waits goes along whole, the oldest status entries give way to fit CARRY_BYTES', async () => {
  const u = exporting();
  for (let i = 0; i < 3_000; i++) rejected(u, i);
  await exportAll(u, async () => ({ report: 'r' }), true);
  // Entries that came after the last export: at most AUDIT_EXPORT.carriedBytes of them go along.
  for (let i = 3_000; waitingBytes(u.auditLog!.unexported) <= AUDIT_EXPORT.carriedBytes - 1_024; i++) rejected(u, i);
  const waiting = u.auditLog!.unexported.map((e) => e.seq);
  const input = { tenantId: 'demo', oldConnectorInstanceId: 'old-1' };
  const rest = 'x'.repeat(100_000); // whatever else the state holds
  const args = () => [input, { state: u }, rest];
  expect(jsonBytes(args())).toBeGreaterThan(CARRY_BYTES);
  // Older runs drop nothing while entries wait (they exported all of them first).
  expect(boundCarry(u, args()).dropped).toBe(0);
  const carried = boundCarry(u, args(), true);
  expect(carried.dropped).toBeGreaterThan(0);
  expect(carried.bytes).toBe(jsonBytes(args()));
  expect(carried.bytes).toBeLessThanOrEqual(CARRY_BYTES);
  // Every entry is in the report store (seq <= exported) or in the carry; the newest stay in the status.
  expect(u.auditLog!.unexported.map((e) => e.seq)).toEqual(waiting);
  expect(u.audit.at(-1)?.seq).toBe(u.auditLog!.recorded);
  const n = u.audit.length;
  expect(u.audit.map((e) => e.seq)).toEqual(Array.from({ length: n }, (_, i) => u.auditLog!.recorded - n + i + 1));
  expect(u.auditLog!.exported + u.auditLog!.unexported.length).toBe(u.auditLog!.recorded);
});
