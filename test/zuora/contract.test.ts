// The contract with Zuora's published API (docs/zuora.md §8): every request our real client sends and
// every response the Zuora emulator returns, checked against the models of Zuora's official SDK (zuora-sdk, generated
// from Zuora's OpenAPI spec) with pydantic validation on. The expectations come from the spec, not from the emulator.
import { z } from 'zod';
import type { RunningZuoraEmulator } from '../../emulators/zuora';
import { MIGRATED_CREDIT_MEMO_REASON_CODE } from '../../src/shared/migration';
import { ZuoraApiError, type ZuoraClient } from '../../src/zuora';
import { findReadinessOffenders } from '../../src/zuora/readiness';
import { checkContract, recordingFetch, type ContractReport, type Exchange } from './contract-recorder';
import { clientFor, rejectionOf, startEmulator } from './helpers';

/** A schedule-started workflow id: Temporal appends the scheduled time in RFC 3339, colons included. */
const SCHEDULED_WORKFLOW_ID = 'sync-netsuite-credit-memos-acme-run-2026-11-30T18:00:00Z';

/** Each client operation, and the (method, path template) the spec must know it by. */
const OPERATIONS_IN_SPEC = [
  'POST /oauth/token',
  'POST /v1/action/query',
  'POST /v1/action/queryMore',
  'POST /v1/action/create',
  'GET /v1/credit-memos',
  'GET /v1/credit-memos/{creditMemoKey}',
  'PUT /v1/credit-memos/{creditMemoKey}',
  'PUT /v1/credit-memos/bulk',
  'POST /query/jobs',
  'GET /query/jobs/{job-id}',
  'POST /v1/payments',
  'GET /v1/payment-runs',
];

describe("Zuora contract: the client's requests and the emulator's responses against Zuora's OpenAPI spec", () => {
  let emulator: RunningZuoraEmulator;
  const exchanges: Exchange[] = [];
  let report: ContractReport;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    emulator = await startEmulator({ seed: { demo: true, readinessOffenders: 'every-row' }, retryAfterSeconds: 0 });
    const client = clientFor(emulator, { fetch: recordingFetch(exchanges) }).withTrackId(
      `${SCHEDULED_WORKFLOW_ID}/5/1`,
    );
    await driveEveryOperation(client, emulator, seen);
    report = checkContract(exchanges);
    // The figures the issue asks for, in the test log.
    console.log(
      `zuora contract (${report.sdk}, spec ${report.spec}): ${report.operationsChecked} operations, ` +
        `${report.pairsValidated}/${report.exchanges} request/response pairs validated; not in the spec: ` +
        `${report.notInSpec.map((o) => o.operation).join(', ') || 'none'}`,
    );
  });
  afterAll(() => emulator.stop());

  it('every request and response validates against the SDK models, with no undeclared field', () => {
    expect(report.errors).toEqual([]);
    expect(report.pairsValidated).toBe(exchanges.length - report.notInSpec.reduce((n, o) => n + o.exchanges, 0));
  });

  it('covers every operation of the client, each found in the spec', () => {
    expect(Object.keys(report.operations).sort()).toEqual([...OPERATIONS_IN_SPEC].sort());
    expect(report.notInSpec).toEqual([]);
  });

  it('drives the error answers too: ZOQL faults, 401, 429, not found, per-item failures', () => {
    const statuses = (op: string) => report.operations[op]?.statuses ?? [];
    expect(statuses('POST /v1/action/query')).toEqual(expect.arrayContaining([200, 400, 401]));
    expect(statuses('POST /v1/action/queryMore')).toEqual(expect.arrayContaining([200, 400]));
    expect(statuses('GET /v1/credit-memos/{creditMemoKey}')).toEqual(expect.arrayContaining([200, 429]));
    expect(statuses('GET /v1/credit-memos')).toEqual(expect.arrayContaining([200, 400]));
    expect(statuses('GET /query/jobs/{job-id}')).toEqual(expect.arrayContaining([200, 404]));
    expect(seen.bulkFailures).toBeGreaterThan(0);
    expect(seen.actionCreateFailures).toBeGreaterThan(0);
  });

  it('classifies ZOQL FaultResponses: a bad field or a bad locator is not retryable, with its FaultCode', () => {
    expect(seen.invalidField).toMatchObject({ httpStatus: 400, code: 'INVALID_FIELD', retryable: false });
    expect(seen.invalidLocator).toMatchObject({ httpStatus: 400, code: 'INVALID_QUERY_LOCATOR', retryable: false });
    expect((seen.invalidField as Error).message).not.toMatch(/[{}]/); // the FaultMessage, not raw JSON
  });

  it('credit memos read back with the documented names: unappliedAmount, creditMemoDate', () => {
    expect(seen.memo).toMatchObject({
      unappliedAmount: expect.any(Number),
      creditMemoDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      createdDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      updatedDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    });
    expect(seen.memo).not.toHaveProperty('balance');
    expect(seen.memo).not.toHaveProperty('memoDate');
  });

  it('sends a Zuora-Track-Id without : ; " \' that still names the workflow and activity', () => {
    const trackIds = new Set(exchanges.map((e) => e.requestHeaders['zuora-track-id']).filter(Boolean));
    expect([...trackIds]).toEqual(['sync-netsuite-credit-memos-acme-run-2026-11-30T18.00.00Z/5/1']);
  });
});

describe('the contract checker itself', () => {
  it('lists an operation the spec does not have, and fails undeclared fields and bad values', () => {
    const report = checkContract([
      {
        method: 'POST',
        path: '/v1/object/invoice-adjustment',
        query: {},
        requestHeaders: {},
        requestBody: { Amount: 1, Type: 'Credit', InvoiceId: 'x' },
        status: 200,
        responseBody: { Success: true, Id: 'ia1' },
      },
      {
        method: 'GET',
        path: '/v1/credit-memos',
        query: { balance: '0', pageSize: 'many' },
        requestHeaders: { 'zuora-track-id': 'wf:1' },
        requestBody: null,
        status: 200,
        responseBody: { success: true, creditmemos: [{ id: 'm1', balance: 0, memoDate: '2026-01-01' }] },
      },
    ]);
    expect(report.notInSpec).toEqual([{ operation: 'POST /v1/object/invoice-adjustment', exchanges: 1 }]);
    expect(report.errors.map((e) => e.error)).toEqual([
      "query parameter 'balance' is not in the spec for this operation",
      expect.stringMatching(/^query parameter pageSize='many': /),
      expect.stringMatching(/^header zuora-track-id 'wf:1': must be US-ASCII without/),
      "response 200.creditmemos[0]: field 'balance' is not in CreditMemo",
      "response 200.creditmemos[0]: field 'memoDate' is not in CreditMemo",
    ]);
    expect(report.pairsValidated).toBe(0);
  });
});

/** Runs each client operation, success and error paths, against a demo tenant taken through Invoice Settlement. */
async function driveEveryOperation(
  client: ZuoraClient,
  emulator: RunningZuoraEmulator,
  seen: Record<string, unknown>,
): Promise<void> {
  // Before Invoice Settlement: the pre-upgrade check (ZOQL) and a tenant that refuses credit memo endpoints.
  await client.findUnsyncedBeforeUpgrade();
  // The readiness checklist (docs/zuora.md §10): ZOQL rows and the payment run list, `applyCreditBalance` included.
  expect((await findReadinessOffenders(client)).map((o) => o.row)).toContain('payment-runs-applying-credit-balance');
  expect(await client.isInvoiceSettlementEnabled()).toBe(false);

  // ZOQL with paging, and its faults.
  let accounts = 0;
  for await (const _ of client.queryAll('select Id, Name from Account', { batchSize: 2 })) accounts++;
  expect(accounts).toBeGreaterThan(2);
  seen.invalidField = await rejectionOf(client.query('select NoSuchField from Account'));
  seen.invalidLocator = await rejectionOf(client.queryMore('0123456789abcdef0123456789abcdef'));

  // Invoice adjustments (CRUD batch create), one that Zuora refuses, and the look-up by ReferenceId.
  const invoice = [...emulator.state.invoices.values()].find((i) => Number(i.Balance) > 10 && i.Status === 'Posted');
  if (!invoice) throw new Error('the demo tenant has no open invoice');
  const created = await client.createInvoiceAdjustments([
    { InvoiceId: invoice.Id, Amount: 1, Type: 'Credit', ReferenceId: 'contract-1', IntegrationId__NS: 'contract-1' },
    { InvoiceId: invoice.Id, Amount: 1e9, Type: 'Credit', ReferenceId: 'contract-2' },
  ]);
  seen.actionCreateFailures = created.filter((r) => !r.success).length;
  await client.createInvoiceAdjustment({ InvoiceId: invoice.Id, Amount: 1, Type: 'Credit', ReferenceId: 'contract-3' });
  expect(await client.findInvoiceAdjustmentsByReferenceIds(['contract-1', 'contract-3'])).toHaveLength(2);

  // Invoice Settlement on: credit memos, Data Query, payments.
  emulator.admin.enableInvoiceSettlement();
  expect(await client.isInvoiceSettlementEnabled()).toBe(true);
  const job = await client.submitDataQuery(
    `select id, memonumber from creditmemo where reasoncode = '${MIGRATED_CREDIT_MEMO_REASON_CODE}'`,
  );
  const done = await client.waitForDataQuery(job.id, { pollMs: 5, maxPollMs: 20 });
  let rows = 0;
  for await (const _ of client.streamDataQueryResult(done.dataFile ?? '', z.looseObject({ id: z.string() }))) rows++;
  expect(rows).toBeGreaterThan(0);
  seen.unknownJob = await rejectionOf(client.getDataQueryJob('00000000-0000-4000-8000-000000000000'));

  const memo = await client.getCreditMemo('CM00000001');
  seen.memo = memo;
  await client.getCreditMemo(memo.id);
  await client.updateCreditMemo(memo.id, { transferredToAccounting: 'Yes', IntegrationStatus__NS: 'Sync Complete' });
  const notFound = await rejectionOf(client.getCreditMemo('CM99999999'));
  expect(notFound).toBeInstanceOf(ZuoraApiError);
  const bulk = await client.bulkUpdateCreditMemos([
    { id: memo.id, transferredToAccounting: 'Yes' },
    { id: 'no-such-memo', transferredToAccounting: 'Yes' },
  ]);
  seen.bulkFailures = bulk.failed.length;

  const payment = {
    accountId: String(invoice.AccountId),
    amount: 5,
    currency: 'USD',
    type: 'External' as const,
    paymentMethodType: 'Check',
    effectiveDate: '2026-11-30',
    referenceId: 'ns-pay-contract',
    financeInformation: { transferredToAccounting: 'Yes' as const },
    invoices: [{ invoiceId: invoice.Id, amount: 5 }],
    IntegrationId__NS: 'contract-pay',
    Origin__NS: 'NETSUITE',
  };
  const first = await client.createPayment(payment, 'contract-pay-1');
  expect((await client.createPayment(payment, 'contract-pay-1')).id).toBe(first.id); // replay

  // 401: the token is refused once, refreshed, and the request repeated.
  emulator.admin.expireTokens();
  await client.query('select Id from Account');
  // 429: the next request is throttled, waited out and repeated.
  emulator.admin.configure({ burst429: 1 });
  await client.getCreditMemo(memo.id);
}
