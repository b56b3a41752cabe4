import { z } from 'zod';
import { IntegrationStatus, ZuoraType } from '../../src/netsuite/fields';
import { seededRandom } from '../common';
import type { ConnectorValues, NetSuiteAccount } from './account';
import { inTransaction } from './database';

const count = z.number().int().min(0).max(1_000_000);

/** `POST /__admin/seed` body. Everything is deterministic for a given `seed`. */
export const netSuiteSeedSchema = z.object({
  /** The hand-built demo tenant (every eligibility case of the credit memo and payment syncs). */
  demo: z.boolean().optional(),
  /** Eligible standard credit memos, each fully applied to its own Zuora invoice. */
  standardCreditMemos: count.optional(),
  /** Eligible negative-balance credit memos, each applied to two Zuora invoices. */
  negativeBalanceCreditMemos: count.optional(),
  /** Eligible customer payments (Zuora Sync Updates = Yes), each applied to one Zuora invoice. */
  payments: count.optional(),
  /** Bare NetSuite-native invoices for paging tests (no lines, no links). */
  pagingRows: count.optional(),
  /** tranDate / lastmodifieddate base for generated records, `YYYY-MM-DD`. */
  startDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default('2025-01-01'),
  seed: z.number().int().default(1),
});
export type NetSuiteSeedRequest = z.input<typeof netSuiteSeedSchema>;

export interface IdRange {
  count: number;
  firstId: number | null;
  lastId: number | null;
}

export interface NetSuiteSeedSummary {
  demo?: DemoTenant;
  standardCreditMemos?: IdRange;
  negativeBalanceCreditMemos?: IdRange;
  payments?: IdRange;
  pagingRows?: IdRange;
}

export function seedAccount(account: NetSuiteAccount, input: unknown): NetSuiteSeedSummary {
  const request = netSuiteSeedSchema.parse(input);
  const random = seededRandom(request.seed);
  const base = Date.parse(`${request.startDate}T00:00:00.000Z`);
  const summary: NetSuiteSeedSummary = {};
  inTransaction(account.database, () => {
    if (request.demo) summary.demo = seedDemoTenant(account);
    if (request.standardCreditMemos) {
      summary.standardCreditMemos = seedStandardCreditMemos(account, request.standardCreditMemos, base, random);
    }
    if (request.negativeBalanceCreditMemos) {
      summary.negativeBalanceCreditMemos = seedNegativeBalance(
        account,
        request.negativeBalanceCreditMemos,
        base,
        random,
      );
    }
    if (request.payments) summary.payments = seedPayments(account, request.payments, base, random);
    if (request.pagingRows) summary.pagingRows = seedPagingRows(account, request.pagingRows, base);
  });
  // Fresh statistics, so the planner uses the id range rather than the (type, lastmodifieddate) index for key paging.
  account.database.run('ANALYZE');
  return summary;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const money = (random: () => number): number => Math.round((10 + random() * 990) * 100) / 100;

function range(ids: number[]): IdRange {
  return { count: ids.length, firstId: ids[0] ?? null, lastId: ids[ids.length - 1] ?? null };
}

/** A pool of customers with Zuora accounts, shared by generated records (100 records per customer). */
function customersFor(account: NetSuiteAccount, n: number, label: string): number[] {
  const customers: number[] = [];
  for (let i = 0; i < Math.max(1, Math.ceil(n / 100)); i++) {
    const id = account.nextId('customer');
    customers.push(account.addCustomer({ id, name: `${label} ${i + 1}`, zuoraCustomerId: `ZACC-${label}-${id}` }));
  }
  return customers;
}

function zuoraInvoice(account: NetSuiteAccount, customer: number, total: number, at: Date, zuoraId: string): number {
  return account.addInvoice({
    customer,
    tranDate: day(at.getTime()),
    total,
    lastModified: at,
    connector: {
      zuoraId,
      zuoraType: ZuoraType.invoice,
      origin: 'ZUORA',
      integrationStatus: IntegrationStatus.syncComplete,
      customerIdSales: zuoraAccountOf(account, customer),
    },
  });
}

function zuoraAccountOf(account: NetSuiteAccount, customer: number): string | null {
  return account.customerZuoraId(customer);
}

function seedStandardCreditMemos(account: NetSuiteAccount, n: number, base: number, random: () => number): IdRange {
  const customers = customersFor(account, n, 'Bench CM');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const customer = customers[Math.floor(i / 100)] ?? 0;
    const at = new Date(base + i * 1000);
    const total = money(random);
    const invoice = zuoraInvoice(account, customer, total, at, `ZINV-B${account.nextId('transaction')}`);
    ids.push(
      account.addCreditMemo({
        customer,
        tranDate: day(at.getTime()),
        total,
        memo: `Bench credit ${i + 1}`,
        lastModified: at,
        connector: { customerIdSales: zuoraAccountOf(account, customer), origin: 'NETSUITE' },
        applications: [{ invoice, amount: total }],
      }),
    );
  }
  return range(ids);
}

function seedNegativeBalance(account: NetSuiteAccount, n: number, base: number, random: () => number): IdRange {
  const customers = customersFor(account, n, 'Bench NEG');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const customer = customers[Math.floor(i / 100)] ?? 0;
    const at = new Date(base + i * 1000);
    const first = money(random);
    const second = money(random);
    const a = zuoraInvoice(account, customer, first, at, `ZINV-N${account.nextId('transaction')}`);
    const b = zuoraInvoice(account, customer, second, at, `ZINV-N${account.nextId('transaction')}`);
    ids.push(
      account.addCreditMemo({
        customer,
        tranDate: day(at.getTime()),
        total: Math.round((first + second) * 100) / 100,
        lastModified: at,
        connector: {
          zuoraId: `ZNEG-${account.nextId('transaction')}`,
          zuoraType: ZuoraType.negativeInvoice,
          origin: 'ZUORA',
          customerIdSales: zuoraAccountOf(account, customer),
        },
        applications: [
          { invoice: a, amount: first },
          { invoice: b, amount: second },
        ],
      }),
    );
  }
  return range(ids);
}

function seedPayments(account: NetSuiteAccount, n: number, base: number, random: () => number): IdRange {
  const customers = customersFor(account, n, 'Bench PYMT');
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const customer = customers[Math.floor(i / 100)] ?? 0;
    const at = new Date(base + i * 1000);
    const total = money(random);
    const invoice = zuoraInvoice(account, customer, total, at, `ZINV-P${account.nextId('transaction')}`);
    ids.push(
      account.addPayment({
        customer,
        tranDate: day(at.getTime()),
        total,
        lastModified: at,
        connector: { customerIdPayment: zuoraAccountOf(account, customer), origin: 'NETSUITE', syncUpdates: 'Yes' },
        applications: [{ invoice, amount: total }],
      }),
    );
  }
  return range(ids);
}

/** Fast path: one prepared statement in the caller's transaction (150,000 rows in about a second). */
function seedPagingRows(account: NetSuiteAccount, n: number, base: number): IdRange {
  const customer = account.addCustomer({ name: 'Paging rows', zuoraCustomerId: null });
  const first = account.nextId('transaction');
  const stmt = account.database.prepare(
    `INSERT INTO "transaction" (id, tranid, type, status, entity, trandate, createddate, lastmodifieddate,
       foreigntotal, foreignamountremaining, foreignamountpaid) VALUES (?, ?, 'CustInvc', 'CustInvc:A', ?, ?, ?, ?, 1, 1, 0)`,
  );
  try {
    for (let i = 0; i < n; i++) {
      const at = new Date(base + i * 1000).toISOString();
      stmt.run([first + i, `PAGE${first + i}`, customer, `${at.slice(0, 10)}T00:00:00.000Z`, at, at]);
    }
  } finally {
    stmt.free();
  }
  return { count: n, firstId: n > 0 ? first : null, lastId: n > 0 ? first + n - 1 : null };
}

/** Named records of the demo tenant, so tests and the demo can refer to each case. */
export interface DemoTenant {
  customers: { acme: number; globex: number; nativeCo: number };
  invoices: Record<
    'acme1' | 'acme2' | 'acme3' | 'acme4' | 'acme5' | 'globex1' | 'globex2' | 'globexDebitMemo' | 'acmeNative',
    number
  >;
  creditMemos: Record<
    | 'standardEligible'
    | 'partlyApplied'
    | 'twoInvoices'
    | 'syncComplete'
    | 'negativeBalance'
    | 'appliedToNativeInvoice'
    | 'unapplied'
    | 'noZuoraCustomer',
    number
  >;
  payments: Record<
    'appliedToInvoice' | 'fullyUnapplied' | 'zuoraOrigin' | 'syncUpdatesNo' | 'syncUpdatesEmpty' | 'appliedToDebitMemo',
    number
  >;
}

/** Every eligibility case of docs/zuora.md §7, dated 2025-01-10 .. 2025-01-12. */
export function seedDemoTenant(account: NetSuiteAccount): DemoTenant {
  const t = (dayOfMonth: number, minute: number): Date => new Date(Date.UTC(2025, 0, dayOfMonth, 9, minute, 0));
  const acme = account.addCustomer({ name: 'Acme Corp', zuoraCustomerId: 'A00000001' });
  const globex = account.addCustomer({ name: 'Globex', zuoraCustomerId: 'A00000002' });
  const nativeCo = account.addCustomer({ name: 'Native Co', zuoraCustomerId: null });
  const inv = (
    customer: number,
    total: number,
    minute: number,
    zuoraId: string,
    zuoraType: string = ZuoraType.invoice,
  ) =>
    account.addInvoice({
      customer,
      tranDate: '2025-01-10',
      total,
      lastModified: t(10, minute),
      connector: {
        zuoraId,
        zuoraType,
        origin: 'ZUORA',
        integrationStatus: IntegrationStatus.syncComplete,
        customerIdSales: account.customerZuoraId(customer),
      },
    });
  const invoices = {
    acme1: inv(acme, 100, 1, '8a8aa0000000000000000000000000a1'),
    acme2: inv(acme, 200, 2, '8a8aa0000000000000000000000000a2'),
    acme3: inv(acme, 300, 3, '8a8aa0000000000000000000000000a3'),
    acme4: inv(acme, 400, 4, '8a8aa0000000000000000000000000a4'),
    acme5: inv(acme, 500, 5, '8a8aa0000000000000000000000000a5'),
    globex1: inv(globex, 150, 6, '8a8aa0000000000000000000000000b1'),
    globex2: inv(globex, 250, 7, '8a8aa0000000000000000000000000b2'),
    globexDebitMemo: inv(globex, 75, 8, '8a8aa0000000000000000000000000d1', ZuoraType.debitMemo),
    acmeNative: account.addInvoice({ customer: acme, tranDate: '2025-01-10', total: 90, lastModified: t(10, 9) }),
  };
  const sales = (customer: number) => ({
    customerIdSales: account.customerZuoraId(customer),
    origin: 'NETSUITE',
  });
  const memo = (
    customer: number,
    total: number,
    minute: number,
    applications: { invoice: number; amount: number }[],
    connector: ConnectorValues = {},
  ) =>
    account.addCreditMemo({
      customer,
      tranDate: '2025-01-11',
      total,
      memo: `Demo credit ${minute}`,
      lastModified: t(11, minute),
      connector: { ...sales(customer), ...connector },
      applications,
    });
  const creditMemos = {
    standardEligible: memo(acme, 100, 1, [{ invoice: invoices.acme1, amount: 100 }]),
    partlyApplied: memo(acme, 80, 2, [{ invoice: invoices.acme2, amount: 50 }]),
    twoInvoices: memo(acme, 120, 3, [
      { invoice: invoices.acme2, amount: 60 },
      { invoice: invoices.acme3, amount: 60 },
    ]),
    syncComplete: memo(acme, 40, 4, [{ invoice: invoices.acme4, amount: 40 }], {
      integrationStatus: IntegrationStatus.syncComplete,
      zuoraId: '8a8aa0000000000000000000000000f1',
    }),
    negativeBalance: memo(
      globex,
      175,
      5,
      [
        { invoice: invoices.globex1, amount: 100 },
        { invoice: invoices.globex2, amount: 75 },
      ],
      { zuoraType: ZuoraType.negativeInvoice, zuoraId: '8a8aa0000000000000000000000000e1', origin: 'ZUORA' },
    ),
    appliedToNativeInvoice: memo(acme, 90, 6, [{ invoice: invoices.acmeNative, amount: 90 }]),
    unapplied: memo(acme, 30, 7, []),
    noZuoraCustomer: memo(acme, 25, 8, [{ invoice: invoices.acme5, amount: 25 }], { customerIdSales: null }),
  };
  const pay = (
    customer: number,
    total: number,
    minute: number,
    applications: { invoice: number; amount: number }[],
    connector: ConnectorValues,
  ) =>
    account.addPayment({
      customer,
      tranDate: '2025-01-12',
      total,
      lastModified: t(12, minute),
      connector: {
        customerIdPayment: account.customerZuoraId(customer),
        origin: 'NETSUITE',
        ...connector,
      },
      applications,
    });
  const payments = {
    appliedToInvoice: pay(globex, 50, 1, [{ invoice: invoices.globex1, amount: 50 }], { syncUpdates: 'Yes' }),
    fullyUnapplied: pay(acme, 70, 2, [], { syncUpdates: 'Yes' }),
    zuoraOrigin: pay(acme, 100, 3, [{ invoice: invoices.acme5, amount: 100 }], { syncUpdates: 'Yes', origin: 'ZUORA' }),
    syncUpdatesNo: pay(acme, 100, 4, [{ invoice: invoices.acme5, amount: 100 }], { syncUpdates: 'No' }),
    syncUpdatesEmpty: pay(acme, 100, 5, [{ invoice: invoices.acme5, amount: 100 }], { syncUpdates: null }),
    appliedToDebitMemo: pay(globex, 75, 6, [{ invoice: invoices.globexDebitMemo, amount: 75 }], { syncUpdates: 'Yes' }),
  };
  return { customers: { acme, globex, nativeCo }, invoices, creditMemos, payments };
}
