import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { clientFor, startEmulator } from './helpers';

async function admin(
  emulator: { url: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}/__admin/${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('Zuora emulator admin API', () => {
  let emulator: RunningZuoraEmulator;
  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(() => emulator.stop());

  it('seeds deterministically, enables IS, and resets', async () => {
    const seeded = await admin(emulator, 'POST', 'seed', { demo: true, seed: 9 });
    expect(seeded.json).toMatchObject({ accounts: 5, invoiceSettlementEnabled: false });
    const firstIds = [...emulator.state.invoices.keys()];
    const enabled = await admin(emulator, 'POST', 'enable-invoice-settlement');
    expect(enabled.json.creditMemosCreated).toBeGreaterThan(0);
    expect((await admin(emulator, 'GET', 'state')).json.invoiceSettlementEnabled).toBe(true);

    await admin(emulator, 'POST', 'reset');
    expect(emulator.state.invoices.size).toBe(0);
    await admin(emulator, 'POST', 'seed', { demo: true, seed: 9 });
    expect([...emulator.state.invoices.keys()]).toEqual(firstIds);
  });

  it('marks unsynced invoice item adjustments and negative invoices synced to NetSuite (upgrade step 2)', async () => {
    await admin(emulator, 'POST', 'seed', { demo: true, seed: 9 });
    const unsynced = () =>
      [
        ...emulator.state.invoiceItemAdjustments.values(),
        ...[...emulator.state.invoices.values()].filter((i) => Number(i.Amount) < 0),
      ].filter((r) => r.IntegrationStatus__NS !== 'Sync Complete').length;
    const before = unsynced();
    expect(before).toBeGreaterThan(0);
    const marked = await admin(emulator, 'POST', 'mark-synced-to-netsuite');
    expect(Number(marked.json.invoiceItemAdjustments) + Number(marked.json.negativeInvoices)).toBe(before);
    expect(unsynced()).toBe(0);
    expect((await admin(emulator, 'POST', 'mark-synced-to-netsuite')).json).toEqual({
      invoiceItemAdjustments: 0,
      negativeInvoices: 0,
    });
  });

  it('configures limits and settings at run time, and admin calls bypass them', async () => {
    const configured = await admin(emulator, 'POST', 'config', {
      latencyMs: 1,
      concurrencyLimit: 5,
      faults: { errorRate: 1 },
      retryAfterSeconds: 7,
    });
    expect(configured.json).toMatchObject({
      latencyMs: 1,
      concurrencyLimit: 5,
      retryAfterSeconds: 7,
      faults: { errorRate: 1, dropRate: 0 },
    });
    // With every API request failing, the admin API still answers.
    expect((await admin(emulator, 'GET', 'counters')).status).toBe(200);
    expect((await admin(emulator, 'POST', 'config', { faults: { errorRate: 2 } })).status).toBe(400);
    expect((await admin(emulator, 'POST', 'config', { noSuchSetting: 1 })).status).toBe(400);
  });

  it('counts requests by route and writes per record', async () => {
    await admin(emulator, 'POST', 'seed', { migratedCreditMemos: 3 });
    const client = clientFor(emulator);
    const [id] = emulator.state.creditMemos.keys();
    await client.updateCreditMemo(id ?? '', { transferredToAccounting: 'Yes' });
    await client.updateCreditMemo(id ?? '', { transferredToAccounting: 'Yes' });
    const counters = (await admin(emulator, 'GET', 'counters')).json as {
      writesPerCreditMemo: Record<string, number>;
      limits: { byRoute: Record<string, number> };
    };
    expect(counters.writesPerCreditMemo[id ?? '']).toBe(2); // a repeated write is visible
    expect(counters.limits.byRoute['PUT /v1/credit-memos/:key']).toBe(2);
  });
});
