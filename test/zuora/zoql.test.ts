import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { equalsAnyClauses, ZuoraApiError, ZuoraClient, zoqlString } from '../../src/zuora';
import type { ZRecord } from '../../emulators/zuora/state';
import { mixesAndWithOr } from '../../src/zuora/zoql';
import { clientFor, rawCall, rejectionOf, startEmulator } from './helpers';

describe('ZOQL action query', () => {
  let emulator: RunningZuoraEmulator;
  let client: ZuoraClient;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: { demo: true, demoAccounts: 40 } });
    client = clientFor(emulator);
  });
  afterEach(() => emulator.stop());

  it('pages with queryLocator / queryMore and reads every record once', async () => {
    const total = emulator.state.invoices.size;
    const first = await client.query('select Id, InvoiceNumber from Invoice', { batchSize: 7 });
    expect(first.records).toHaveLength(7);
    expect(first.done).toBe(false);
    const second = await client.queryMore(first.queryLocator ?? '');
    expect(second.records).toHaveLength(7);

    const ids: unknown[] = [];
    for await (const record of client.queryAll('select Id from Invoice', { batchSize: 10 })) ids.push(record.Id);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('leaves null fields out and answers canonical field names whatever the case in the query', async () => {
    const page = await client.query('select id, invoicenumber, integrationstatus__ns from Invoice where amount < 0');
    expect(page.records.length).toBeGreaterThan(0);
    for (const record of page.records) {
      expect(Object.keys(record)).toEqual(expect.arrayContaining(['Id', 'InvoiceNumber']));
    }
    expect(page.records.some((r) => !('IntegrationStatus__NS' in r))).toBe(true);
  });

  it('evaluates and/or with and binding tighter, as SQL does', async () => {
    // Raw call: our client refuses to send a query that mixes them. SQL: `a and b or c` is `(a and b) or c`, so
    // `Amount > 0 and Amount < 0 or Status = 'Posted'` is every posted invoice; read left to right as
    // `a and (b or c)` it would be the positive ones only.
    const zoql = "select Id, Amount from Invoice where Amount > 0 and Amount < 0 or Status = 'Posted'";
    const { status, json } = await rawCall(emulator, 'POST', '/v1/action/query', {
      body: JSON.stringify({ queryString: zoql }),
    });
    expect(status).toBe(200);
    const records = (json as { records: Array<{ Amount: number }> }).records;
    expect(records.some((r) => r.Amount < 0)).toBe(true);
    expect(records).toHaveLength(emulator.state.invoices.size);
  });

  it("refuses to send a where-clause that mixes 'and' with 'or' (ZOQL does not document their grouping)", async () => {
    const before = client.stats().requests;
    // The form findUnsyncedBeforeUpgrade used to send.
    const mixed =
      "select Id from Invoice where Amount < 0 and IntegrationStatus__NS != 'Sync Complete' or Amount < 0 and " +
      'IntegrationStatus__NS = null';
    expect((await rejectionOf(client.query(mixed))) as Error).toHaveProperty('message', expect.stringMatching(/mixes/));
    expect(client.stats().requests).toBe(before);
    // Pure forms, and words inside string literals, are fine.
    expect(mixesAndWithOr("select Id from Invoice where Amount < 0 and Status = 'Posted'")).toBe(false);
    expect(mixesAndWithOr("select Id from Invoice where Id = 'a' or Id = 'b'")).toBe(false);
    expect(mixesAndWithOr("select Id from Invoice where Status = 'this or that' and Amount < 0")).toBe(false);
    expect(mixesAndWithOr("select Id from Invoice where Comment = 'it\\'s or' and Amount < 0")).toBe(false);
  });

  it.each([
    ['select Id, Number from CreditMemo', /does not support Invoice Settlement object/],
    ['select * from Invoice', /select \*/],
    ["select Id from Invoice where Id in ('a')", /'in'/],
    ['select Id from Invoice order by Id', /order/],
    ['SELECT Id FROM Invoice', /lower case/],
    ['select Nope from Invoice', /invalid field/],
  ])('rejects %s like the real API', async (zoql, message) => {
    const error = await rejectionOf(client.query(zoql));
    expect(error).toBeInstanceOf(ZuoraApiError);
    expect((error as ZuoraApiError).retryable).toBe(false);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects more than 200 conditions', async () => {
    const where = Array.from({ length: 201 }, (_, i) => `ReferenceId = 'r${i}'`).join(' or ');
    const error = await rejectionOf(client.query(`select Id from InvoiceAdjustment where ${where}`));
    expect((error as Error).message).toMatch(/at most 200 conditions/);
  });

  it('findInvoiceAdjustmentsByReferenceIds chunks ids into ≤ 190 conditions and escapes quotes', async () => {
    const invoice = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 50);
    const tricky = ["o'brien-1", 'back\\slash-2', 'plain-3'];
    for (const ReferenceId of tricky) {
      await client.createInvoiceAdjustment({ InvoiceId: invoice?.Id, Amount: 1, Type: 'Credit', ReferenceId });
    }
    const wanted = [...tricky, ...Array.from({ length: 450 }, (_, i) => `missing-${i}`)];
    const before = client.stats().requests;
    const found = await client.findInvoiceAdjustmentsByReferenceIds(wanted);
    expect(found.map((f) => f.ReferenceId).sort()).toEqual([...tricky].sort());
    expect(client.stats().requests - before).toBe(3); // 453 ids → 190 + 190 + 73
  });

  it('builds ZOQL literals and clauses safely', () => {
    expect(zoqlString("it's \\ ok")).toBe("'it\\'s \\\\ ok'");
    const clauses = equalsAnyClauses('ReferenceId', ['a', 'b', 'a', 'c'], 2);
    expect(clauses).toEqual(["ReferenceId = 'a' or ReferenceId = 'b'", "ReferenceId = 'c'"]);
    expect(() => equalsAnyClauses('Ref; drop', ['a'])).toThrow(RangeError);
  });

  it('findUnsyncedBeforeUpgrade lists item adjustments and negative invoices not yet synced', async () => {
    const unsyncedAdjustments = [...emulator.state.invoiceItemAdjustments.values()].filter(
      (a) => a.IntegrationStatus__NS !== 'Sync Complete',
    );
    const unsyncedNegative = [...emulator.state.invoices.values()].filter(
      (i) => Number(i.Amount) < 0 && i.IntegrationStatus__NS !== 'Sync Complete',
    );
    expect(unsyncedAdjustments.length).toBeGreaterThan(0);
    expect(unsyncedNegative.length).toBeGreaterThan(0);
    const result = await client.findUnsyncedBeforeUpgrade({ limit: 2 });
    expect(result.invoiceItemAdjustments.count).toBe(unsyncedAdjustments.length);
    expect(result.negativeInvoices.count).toBe(unsyncedNegative.length);
    expect(result.invoiceItemAdjustments.items.length).toBe(Math.min(2, unsyncedAdjustments.length));
    expect(result.negativeInvoices.items[0]?.number).toMatch(/^INV\d{8}$/);
  });

  it('findUnsyncedBeforeUpgrade lists only negative invoices, never a positive one with no status', async () => {
    const invoices = [...emulator.state.invoices.values()];
    const notSynced = (r: ZRecord) => r.IntegrationStatus__NS !== 'Sync Complete';
    // The seed has what the check must tell apart: positive invoices with no status, negative ones with no status
    // and with another status.
    expect(
      invoices.filter((i) => Number(i.Amount) > 0 && i.IntegrationStatus__NS === undefined).length,
    ).toBeGreaterThan(0);
    const negative = invoices.filter((i) => Number(i.Amount) < 0 && notSynced(i));
    expect(negative.some((i) => i.IntegrationStatus__NS === undefined)).toBe(true);
    expect(negative.some((i) => i.IntegrationStatus__NS === 'Error')).toBe(true);
    const adjustments = [...emulator.state.invoiceItemAdjustments.values()].filter(notSynced);
    expect(adjustments.some((a) => a.IntegrationStatus__NS === undefined)).toBe(true);
    expect(adjustments.some((a) => a.IntegrationStatus__NS === 'Error')).toBe(true);

    const result = await client.findUnsyncedBeforeUpgrade({ limit: 10_000 });
    const ids = (l: { items: Array<{ id: string }> }) => l.items.map((i) => i.id).sort();
    expect(ids(result.negativeInvoices)).toEqual(negative.map((i) => i.Id).sort());
    expect(result.negativeInvoices.count).toBe(negative.length);
    expect(ids(result.invoiceItemAdjustments)).toEqual(adjustments.map((a) => a.Id).sort());
    expect(result.invoiceItemAdjustments.count).toBe(adjustments.length);
  });
});
