import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { ZuoraApiError, ZuoraClient } from '../../src/zuora';
import { clientFor, rawCall, rejectionOf, startEmulator } from './helpers';

describe('credit memos', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true } });
    client = clientFor(emulator);
  });
  afterEach(() => emulator.stop());

  it('before Invoice Settlement: the endpoints answer like a tenant without the feature', async () => {
    expect(await client.isInvoiceSettlementEnabled()).toBe(false);
    const error = await rejectionOf(client.getCreditMemo('CM00000001'));
    expect(error).toMatchObject({ httpStatus: 400, category: 45, retryable: false });
    expect((error as Error).message).toMatch(/Invoice Settlement is not enabled/);
  });

  it('enabling IS migrates each negative invoice into an "AR Mig - negative invoice" memo', async () => {
    const negative = [...emulator.state.invoices.values()].filter((i) => Number(i.Amount) < 0);
    expect(negative.length).toBeGreaterThan(0);
    expect(emulator.admin.enableInvoiceSettlement().creditMemosCreated).toBe(negative.length);
    expect(await client.isInvoiceSettlementEnabled()).toBe(true);
    const memo = await client.getCreditMemo('CM00000001');
    expect(memo).toMatchObject({
      number: 'CM00000001',
      reasonCode: 'AR Mig - negative invoice',
      transferredToAccounting: 'No',
      excludeFromAutoApplyRules: true,
      status: 'Posted',
    });
    expect(negative.every((i) => i.Balance === 0)).toBe(true);
  });

  it('gets by id or number and updates one memo, including connector fields', async () => {
    emulator.admin.enableInvoiceSettlement();
    const byNumber = await client.getCreditMemo('CM00000002');
    const byId = await client.getCreditMemo(byNumber.id);
    expect(byId.number).toBe('CM00000002');
    const updated = await client.updateCreditMemo(byNumber.id, {
      transferredToAccounting: 'Yes',
      IntegrationStatus__NS: 'Sync Complete',
    });
    expect(updated).toMatchObject({ transferredToAccounting: 'Yes', IntegrationStatus__NS: 'Sync Complete' });
    expect(emulator.admin.counters().writesPerCreditMemo[byNumber.id]).toBe(1);
  });

  it("lists with the spec's filters and field names (unappliedAmount, creditMemoDate); balance is no filter", async () => {
    emulator.admin.enableInvoiceSettlement();
    const memo = await client.getCreditMemo('CM00000001');
    const query = `unappliedAmount=${memo.unappliedAmount}&creditMemoDate=${memo.creditMemoDate}&number=CM00000001`;
    const listed = await rawCall(emulator, 'GET', `/v1/credit-memos?${query}`);
    expect(listed.json).toMatchObject({ success: true, creditmemos: [{ number: 'CM00000001' }] });
    const undocumented = await rawCall(emulator, 'GET', '/v1/credit-memos?balance=0');
    expect(undocumented).toMatchObject({ status: 400, json: { reasons: [{ code: '50000021' }] } });
  });

  it('serves the legacy /v1/creditmemos path too', async () => {
    emulator.admin.enableInvoiceSettlement();
    const res = await rawCall(emulator, 'GET', '/v1/creditmemos/CM00000001');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: true, number: 'CM00000001' });
  });

  it('HTTP 200 with success:false is an error carrying the documented code', async () => {
    emulator.admin.enableInvoiceSettlement();
    const error = await rejectionOf(client.getCreditMemo('CM99999999'));
    expect(error).toBeInstanceOf(ZuoraApiError);
    expect(error).toMatchObject({ httpStatus: 200, code: '50000040', category: 40, retryable: false });
    expect((error as ZuoraApiError).requestId).toEqual(expect.any(String));
    expect((error as ZuoraApiError).processId).toEqual(expect.any(String));
  });

  it('bulk update reads every item: unknown, locked and cancelled memos fail individually', async () => {
    emulator.admin.seed({ migratedCreditMemos: 200, lockedShare: 0.2, cancelledShare: 0.1, seed: 7 });
    const memos = [...emulator.state.creditMemos.values()].slice(0, 49);
    const locked = memos.filter((m) => m.lockedAttemptsRemaining > 0).map((m) => m.id);
    const cancelled = memos.filter((m) => m.status === 'Cancelled').map((m) => m.id);
    expect(locked.length).toBeGreaterThan(0);
    expect(cancelled.length).toBeGreaterThan(0);

    const result = await client.bulkUpdateCreditMemos([
      ...memos.map((m) => ({ id: m.id, transferredToAccounting: 'Yes' as const })),
      { id: 'does-not-exist', transferredToAccounting: 'Yes' },
    ]);

    expect(result.updated).toHaveLength(49 - locked.length - cancelled.length);
    expect(result.updated.every((m) => m.transferredToAccounting === 'Yes')).toBe(true);
    const byId = new Map(result.failed.map((f) => [f.id, f]));
    expect(byId.get('does-not-exist')).toMatchObject({ objectIndex: 49, code: '50000040', retryable: false });
    for (const id of locked) expect(byId.get(id)).toMatchObject({ category: 50, retryable: true });
    for (const id of cancelled) expect(byId.get(id)).toMatchObject({ category: 30, retryable: false });

    // Lock contention clears: the retried items succeed, and each memo was written exactly once.
    const retry = await client.bulkUpdateCreditMemos(locked.map((id) => ({ id, transferredToAccounting: 'Yes' })));
    expect(retry.failed).toEqual([]);
    const writes = emulator.admin.counters().writesPerCreditMemo;
    expect(Object.values(writes).every((n) => n === 1)).toBe(true);
    expect(Object.keys(writes)).toHaveLength(49 - cancelled.length);
  });

  it('more than 50 memos: rejected by the client before sending, and by the emulator', async () => {
    emulator.admin.seed({ migratedCreditMemos: 60 });
    const memos = [...emulator.state.creditMemos.values()].map((m) => ({
      id: m.id,
      transferredToAccounting: 'Yes' as const,
    }));
    const error = await rejectionOf(client.bulkUpdateCreditMemos(memos.slice(0, 51)));
    expect(error).toMatchObject({ code: 'CLIENT_VALIDATION', retryable: false });
    expect(client.stats().requests).toBe(0);

    const raw = await rawCall(emulator, 'PUT', '/v1/credit-memos/bulk', {
      body: JSON.stringify({ memos: memos.slice(0, 51) }),
    });
    expect(raw.status).toBe(400);
    expect(raw.json).toMatchObject({ success: false, processId: expect.any(String), reasons: [{ code: '50000020' }] });
  });

  it('an invalid field value is refused per item with a validation code', async () => {
    emulator.admin.seed({ migratedCreditMemos: 2 });
    const [first] = emulator.state.creditMemos.keys();
    const raw = await rawCall(emulator, 'PUT', '/v1/credit-memos/bulk', {
      body: JSON.stringify({ memos: [{ id: first, transferredToAccounting: 'Maybe' }] }),
    });
    expect(raw.status).toBe(200);
    expect(raw.json).toMatchObject({
      success: true,
      memos: [{ success: false, objectIndex: 0, reasons: [{ code: '50000020' }] }],
    });
  });
});
