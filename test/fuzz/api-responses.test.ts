// Fuzzing what Zuora and NetSuite answer (fast-check): a local HTTP server stands in for both and answers each call
// with generated garbage — random status codes and content types, arbitrary or truncated JSON, HTML error pages,
// binary text, and valid responses with one field broken. The real ZuoraClient and NetSuiteClient call it.
// Properties: a call either returns a well-formed result or throws one of the typed errors (a shape error is never
// retryable; nothing else escapes, e.g. a TypeError from reading a missing field); a 2xx with a bad body is never
// retried; a create that Zuora may have processed is never repeated blindly (requests counted at the server).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { NetSuiteClient } from '../../src/netsuite/client';
import { NetSuiteApiError, NetSuitePagingError, NetSuiteResponseShapeError } from '../../src/netsuite/errors';
import { ZuoraClient } from '../../src/zuora/client';
import { ZuoraApiError, ZuoraResponseShapeError } from '../../src/zuora/errors';

const RUNS = Number(process.env.FUZZ_API_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_RETRIES = 2;
const TOKEN_PATH = '/oauth/token';

type Reply = { status: number; contentType: string | undefined; body: string; location?: string };

/** The stand-in server: answers the token endpoint properly (unless told otherwise) and everything else with `reply`. */
class GarbageServer {
  reply: Reply = { status: 200, contentType: 'application/json', body: '{}' };
  tokenReply: Reply | undefined;
  requests = new Map<string, number>();
  private server: Server = createServer((req, res) => void this.answer(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
  count(filter: (key: string) => boolean): number {
    return [...this.requests].filter(([k]) => filter(k)).reduce((n, [, v]) => n + v, 0);
  }
  private async answer(req: IncomingMessage, res: ServerResponse) {
    for await (const _ of req); // drain the request body
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const key = `${req.method} ${path}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const r =
      path === TOKEN_PATH
        ? (this.tokenReply ?? {
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 }),
          })
        : this.reply;
    res.writeHead(r.status, {
      ...(r.contentType ? { 'Content-Type': r.contentType } : {}),
      ...(r.location ? { Location: r.location } : {}),
    });
    res.end(r.body);
  }
}

const server = new GarbageServer();
beforeAll(() => server.start());
afterAll(() => server.stop());

const zuora = () =>
  new ZuoraClient({
    baseUrl: server.url,
    clientId: 'id',
    clientSecret: 'secret',
    maxRetries: MAX_RETRIES,
    maxThrottleWaitMs: 0, // a 429 is thrown at once here: the throttle budget has its own tests
    backoff: { baseMs: 1, maxMs: 5 },
    maxRetryAfterMs: 20,
    requestTimeoutMs: 5_000,
  });
const netsuite = () =>
  new NetSuiteClient({
    accountId: 'TSTDRV1',
    restBaseUrl: server.url,
    consumerKey: 'ck',
    consumerSecret: 'cs',
    tokenId: 'tid',
    tokenSecret: 'ts',
    maxRetries: MAX_RETRIES,
    maxThrottleWaitMs: 0, // a 429 is thrown at once here: the throttle budget has its own tests
    backoff: { baseMs: 1, maxMs: 5 },
    requestTimeoutMs: 5_000,
  });

// ------------------------------------------------------------------------------------------------------------
// Operations: each with a valid answer (so "one field broken" has something to break) and a check of what the
// caller goes on to read from the result.
type Op = {
  name: string;
  /** Writes something; `idempotent: false` means repeating it after an ambiguous answer could write twice. */
  write?: { idempotent: boolean };
  valid: unknown;
  call: () => Promise<unknown>;
  check: (result: unknown) => void;
};
const memo = { id: 'cm1', number: 'CM-1', transferredToAccounting: 'Yes' };
const str = (v: unknown) => expect(typeof v).toBe('string');
const zuoraOps = (z: ZuoraClient): Op[] => [
  {
    name: 'zuora getCreditMemo',
    valid: { success: true, ...memo },
    call: () => z.getCreditMemo('cm1'),
    check: (r) => str((r as { id: unknown }).id),
  },
  {
    name: 'zuora updateCreditMemo',
    write: { idempotent: true },
    valid: { success: true, ...memo },
    call: () => z.updateCreditMemo('cm1', { transferredToAccounting: 'Yes' }),
    check: (r) => str((r as { number: unknown }).number),
  },
  {
    name: 'zuora bulkUpdateCreditMemos',
    write: { idempotent: true },
    valid: { success: true, memos: [{ success: true, ...memo }] },
    call: () => z.bulkUpdateCreditMemos([{ id: 'cm1', transferredToAccounting: 'Yes' }]),
    check: (r) => {
      const { updated, failed } = r as { updated: unknown[]; failed: Array<{ code: unknown }> };
      expect(updated.length + failed.length).toBe(1);
      failed.forEach((f) => str(f.code));
    },
  },
  {
    name: 'zuora createInvoiceAdjustment',
    write: { idempotent: false },
    valid: [{ Success: true, Id: 'ia1' }], // through the documented /v1/action/create
    call: () => z.createInvoiceAdjustment({ Amount: 1, Type: 'Credit', InvoiceId: 'inv1', ReferenceId: 'r1' }),
    check: (r) => str((r as { id: unknown }).id),
  },
  {
    name: 'zuora createInvoiceAdjustments',
    write: { idempotent: false },
    valid: [{ Success: true, Id: 'ia1' }],
    call: () => z.createInvoiceAdjustments([{ Amount: 1, Type: 'Credit', InvoiceId: 'inv1', ReferenceId: 'r1' }]),
    check: (r) => {
      expect(r).toHaveLength(1);
      const [x] = r as Array<{ success: boolean; id?: unknown; code?: unknown }>;
      str(x!.success ? x!.id : x!.code);
    },
  },
  {
    name: 'zuora createPayment',
    write: { idempotent: true }, // Idempotency-Key
    valid: { success: true, id: 'p1', number: 'P-1' },
    call: () => z.createPayment({ amount: 1, currency: 'USD', type: 'External', accountId: 'a1' }, 'key-1'),
    check: (r) => str((r as { id: unknown }).id),
  },
  {
    name: 'zuora submitDataQuery',
    valid: { data: { id: 'j1', queryStatus: 'accepted' } },
    call: () => z.submitDataQuery('select id from creditmemo'),
    check: (r) => str((r as { queryStatus: unknown }).queryStatus),
  },
  {
    name: 'zuora query (ZOQL)',
    valid: { size: 1, records: [{ Id: 'x' }], done: true },
    call: () => z.query('select Id from Invoice'),
    check: (r) => expect(Array.isArray((r as { records: unknown }).records)).toBe(true),
  },
  {
    name: 'zuora isInvoiceSettlementEnabled',
    valid: { success: true, creditmemos: [] },
    call: () => z.isInvoiceSettlementEnabled(),
    check: (r) => expect(typeof r).toBe('boolean'),
  },
  {
    name: 'zuora findUnsyncedBeforeUpgrade',
    valid: { size: 0, records: [], done: true },
    call: () => z.findUnsyncedBeforeUpgrade(),
    check: (r) => {
      const u = r as { invoiceItemAdjustments: { count: unknown }; negativeInvoices: { count: unknown } };
      expect(typeof u.invoiceItemAdjustments.count).toBe('number');
      expect(typeof u.negativeInvoices.count).toBe('number');
    },
  },
];
const netsuiteOps = (n: NetSuiteClient): Op[] => [
  {
    name: 'netsuite suiteql',
    valid: { links: [], count: 1, hasMore: false, items: [{ id: '1' }], offset: 0, totalResults: 1 },
    call: () => n.suiteql('select id from transaction'),
    check: (r) => expect(Array.isArray((r as { items: unknown }).items)).toBe(true),
  },
  {
    name: 'netsuite suiteqlAll',
    valid: { links: [], count: 1, hasMore: false, items: [{ id: '1' }], offset: 0, totalResults: 1 },
    call: async () => {
      const rows: unknown[] = [];
      for await (const row of n.suiteqlAll('select id from transaction where id > :lastId order by id')) rows.push(row);
      return rows;
    },
    check: (r) => expect(Array.isArray(r)).toBe(true),
  },
  {
    name: 'netsuite getGovernanceLimits',
    valid: { accountConcurrencyLimit: 5, integrationLimitType: 'accountLimit' },
    call: () => n.getGovernanceLimits(),
    check: (r) => expect(typeof (r as { accountConcurrencyLimit: unknown }).accountConcurrencyLimit).toBe('number'),
  },
  {
    name: 'netsuite getCreditMemo',
    valid: { links: [], id: '1', lastModifiedDate: '2026-01-31T10:00:00Z', entity: { id: '2' }, apply: { links: [] } },
    call: () => n.getCreditMemo('1'),
    check: (r) => expect((r as { entity: { id: unknown } }).entity.id).toBeDefined(),
  },
  {
    name: 'netsuite getCustomerPayment',
    valid: {
      links: [],
      id: '1',
      lastModifiedDate: '2026-01-31T10:00:00Z',
      customer: { id: '2' },
      apply: { links: [] },
    },
    call: () => n.getCustomerPayment('1'),
    check: (r) => expect((r as { customer: { id: unknown } }).customer.id).toBeDefined(),
  },
  {
    name: 'netsuite patchRecord',
    write: { idempotent: true }, // PATCH sets absolute values
    valid: '',
    call: () => n.patchRecord('creditMemo', '1', { custbody_zuora_sync: true }),
    check: (r) => str((r as { location: unknown }).location),
  },
];

// ------------------------------------------------------------------------------------------------------------
// Garbage
const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(anyJson, { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 2 }),
);

/** The valid answer with one field (at any depth) removed or replaced. */
function breakOneField(valid: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length > 0) paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(valid, []);
  if (paths.length === 0) return wrongValue;
  return fc
    .record({ path: fc.constantFrom(...paths), del: fc.boolean(), value: wrongValue })
    .map(({ path, del, value }) => {
      const copy = structuredClone(valid) as Record<string | number, unknown>;
      let parent = copy;
      for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
      const last = path.at(-1)!;
      if (del && !Array.isArray(parent)) delete parent[last];
      else parent[last] = value;
      return copy;
    });
}

const status = fc.oneof(
  { arbitrary: fc.constantFrom(200, 201, 204), weight: 4 },
  { arbitrary: fc.constantFrom(400, 401, 403, 404, 405, 408, 409, 413, 422, 429, 500, 502, 503, 504), weight: 3 },
  { arbitrary: fc.integer({ min: 200, max: 599 }), weight: 1 },
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/html',
  'text/plain',
  undefined,
);
const body = (op: Op) =>
  fc.oneof(
    anyJson.map((v) => JSON.stringify(v)),
    breakOneField(op.valid).map((v) => JSON.stringify(v)),
    anyJson.map((v) => JSON.stringify(v)).map((t) => t.slice(0, Math.max(0, t.length - 1))),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('', '<html><body><h1>502 Bad Gateway</h1></body></html>', 'null', '[]', '{"success":false}'),
  );
const garbageFor = (ops: Op[]) =>
  fc
    .constantFrom(...ops)
    .chain((op) => fc.record({ op: fc.constant(op), reply: fc.record({ status, contentType, body: body(op) }) }));

// ------------------------------------------------------------------------------------------------------------
const stats = { zuora: { runs: 0, typedErrors: 0, results: 0 }, netsuite: { runs: 0, typedErrors: 0, results: 0 } };
afterAll(() => {
  console.log(
    `fuzz api responses (seed ${SEED}): Zuora ${stats.zuora.runs} runs (${stats.zuora.typedErrors} typed errors, ` +
      `${stats.zuora.results} well-formed results); NetSuite ${stats.netsuite.runs} runs ` +
      `(${stats.netsuite.typedErrors} typed errors, ${stats.netsuite.results} well-formed results)`,
  );
});

/** "It may have been processed": the request reached the server and got anything but a sure refusal. */
const certainlyNotProcessed = (s: number) => s === 429 || s === 401 || s === 408;

async function outcome(op: Op): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await op.call() };
  } catch (error) {
    return { ok: false, error };
  }
}

test('control: the valid answers the garbage is made from give well-formed results, in one request each', async () => {
  for (const op of [...zuoraOps(zuora()), ...netsuiteOps(netsuite())]) {
    const patch = op.name === 'netsuite patchRecord';
    server.reply = patch
      ? {
          status: 204,
          contentType: undefined,
          body: '',
          location: `${server.url}/services/rest/record/v1/creditMemo/1`,
        }
      : { status: 200, contentType: 'application/json', body: JSON.stringify(op.valid) };
    server.requests.clear();
    op.check(await op.call());
    expect([op.name, server.count((k) => !k.endsWith(TOKEN_PATH))]).toEqual([op.name, patch ? 1 : expect.any(Number)]);
  }
});

test(`Zuora: ${RUNS} garbage answers give a typed error or a well-formed result; no blind retries`, async () => {
  await fc.assert(
    fc.asyncProperty(garbageFor(zuoraOps(zuora())), async ({ op: template, reply }) => {
      stats.zuora.runs++;
      const op = zuoraOps(zuora()).find((o) => o.name === template.name)!; // a fresh client: no carried-over state
      server.reply = reply;
      server.requests.clear();
      const r = await outcome(op);
      const calls = server.count((k) => !k.endsWith(TOKEN_PATH));
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(MAX_RETRIES + 2); // retries, plus one token refresh after a 401
      if (r.ok) {
        stats.zuora.results++;
        op.check(r.value);
        return;
      }
      stats.zuora.typedErrors++;
      const e = r.error;
      expect(e instanceof ZuoraApiError || e instanceof ZuoraResponseShapeError).toBe(true);
      expect((e as Error).message.length).toBeGreaterThan(0);
      if (e instanceof ZuoraResponseShapeError) {
        expect(e.retryable).toBe(false);
        expect(calls).toBe(1); // a bad body is not asked for again
      }
      if (reply.status >= 200 && reply.status < 300) expect((e as { retryable: boolean }).retryable).toBe(false);
      if (op.write && !op.write.idempotent && !certainlyNotProcessed(reply.status)) {
        expect(calls).toBe(1); // the caller looks the ReferenceId up before trying again
      }
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
});

test(`Zuora: ${Math.round(RUNS / 3)} garbage OAuth token answers give a typed error and no API call`, async () => {
  const op = (z: ZuoraClient) => z.getCreditMemo('cm1');
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        status,
        contentType,
        body: fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          breakOneField({ access_token: 'tok', token_type: 'bearer', expires_in: 3600 }).map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary', maxLength: 100 }),
        ),
      }),
      async (reply) => {
        stats.zuora.runs++;
        server.tokenReply = reply;
        server.reply = {
          status: 200,
          contentType: 'application/json',
          body: JSON.stringify({ success: true, ...memo }),
        };
        server.requests.clear();
        try {
          const r = await op(zuora());
          stats.zuora.results++;
          str(r.id);
        } catch (e) {
          stats.zuora.typedErrors++;
          expect(e instanceof ZuoraApiError || e instanceof ZuoraResponseShapeError).toBe(true);
          if (e instanceof ZuoraResponseShapeError) expect(e.retryable).toBe(false);
          expect(server.count((k) => !k.endsWith(TOKEN_PATH))).toBe(0);
        }
      },
    ),
    { numRuns: Math.round(RUNS / 3), seed: SEED, endOnFailure: true },
  );
  server.tokenReply = undefined;
});

test(`NetSuite: ${RUNS} garbage answers give a typed error or a well-formed result; a bad 2xx is not retried`, async () => {
  await fc.assert(
    fc.asyncProperty(garbageFor(netsuiteOps(netsuite())), async ({ op: template, reply }) => {
      stats.netsuite.runs++;
      const op = netsuiteOps(netsuite()).find((o) => o.name === template.name)!;
      server.reply = reply;
      server.requests.clear();
      const r = await outcome(op);
      const calls = server.count(() => true);
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThanOrEqual(MAX_RETRIES + 1);
      if (r.ok) {
        stats.netsuite.results++;
        op.check(r.value);
        return;
      }
      stats.netsuite.typedErrors++;
      const e = r.error;
      expect(
        e instanceof NetSuiteApiError || e instanceof NetSuiteResponseShapeError || e instanceof NetSuitePagingError,
      ).toBe(true);
      expect((e as Error).message.length).toBeGreaterThan(0);
      if (e instanceof NetSuiteResponseShapeError || e instanceof NetSuitePagingError) {
        expect(e.retryable).toBe(false);
        expect(calls).toBe(1);
      }
      if (reply.status >= 200 && reply.status < 300) expect((e as { retryable: boolean }).retryable).toBe(false);
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
});
