import { z } from 'zod';

/**
 * Every NetSuite response the client reads, parsed at the boundary. Types come from these schemas (z.infer).
 * Values NetSuite may send either as JSON numbers or as strings (SuiteQL columns, ids) are accepted in both forms
 * and normalised, because the documentation does not pin them down.
 */

/** Internal ids: numbers or numeric strings, normalised to a string (ids are keys, not quantities). */
export const nsId = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform((v) => String(v));

/** Amounts: numbers or numeric strings, normalised to a number. */
export const nsNumber = z
  .union([z.number(), z.string().regex(/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/)])
  .transform((v) => Number(v));

/** SuiteQL omits null columns from an item, so every optional column is `undefined` when empty. */
export const nsText = z.union([z.string(), z.number()]).transform((v) => String(v));

export const linkSchema = z.object({ rel: z.string(), href: z.string() });
export type NetSuiteLink = z.infer<typeof linkSchema>;

export const suiteqlPageSchema = z.object({
  links: z.array(linkSchema),
  count: z.number().int().nonnegative(),
  hasMore: z.boolean(),
  items: z.array(z.record(z.string(), z.unknown())),
  offset: z.number().int().nonnegative(),
  totalResults: z.number().int().nonnegative(),
});
export type SuiteqlPage = z.infer<typeof suiteqlPageSchema>;

export const errorDetailSchema = z.object({
  detail: z.string().optional(),
  'o:errorCode': z.string().optional(),
  'o:errorPath': z.string().optional(),
});

export const errorBodySchema = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().optional(),
  'o:errorDetails': z.array(errorDetailSchema).optional(),
});
export type NetSuiteErrorBody = z.infer<typeof errorBodySchema>;

/** A reference to another record, e.g. `entity`, `status`, `doc`. */
export const recordRefSchema = z.looseObject({
  id: nsId,
  refName: z.string().optional(),
  links: z.array(linkSchema).optional(),
});
export type RecordRef = z.infer<typeof recordRefSchema>;

/** A sublist: always its links; the lines only when fetched with `expandSubResources=true`. */
function sublistSchema<T extends z.ZodType>(line: T) {
  return z.looseObject({
    links: z.array(linkSchema),
    items: z.array(line).optional(),
    totalResults: z.number().int().optional(),
  });
}

export const applyLineSchema = z.looseObject({
  apply: z.boolean(),
  doc: recordRefSchema,
  amount: z.number().optional(),
  line: z.number().int().optional(),
  total: z.number().optional(),
  due: z.number().optional(),
  type: z.string().optional(),
  refNum: z.string().optional(),
});
export type ApplyLine = z.infer<typeof applyLineSchema>;

/** Body fields common to the transactions we read; custom fields (`custbody_…`) stay as extra top-level keys. */
const transactionBody = {
  links: z.array(linkSchema),
  id: nsId,
  tranId: z.string().optional(),
  tranDate: z.string().optional(),
  memo: z.string().optional(),
  externalId: z.string().optional(),
  lastModifiedDate: z.string(),
  /** Select/enum field: `{ id: 'B', refName: 'Fully Applied' }` — the id is a letter, not an internal id. */
  status: z.looseObject({ id: z.string(), refName: z.string().optional() }).optional(),
  total: z.number().optional(),
};

export const creditMemoRecordSchema = z.looseObject({
  ...transactionBody,
  entity: recordRefSchema,
  applied: z.number().optional(),
  unapplied: z.number().optional(),
  amountRemaining: z.number().optional(),
  createdFrom: recordRefSchema.optional(),
  apply: sublistSchema(applyLineSchema),
});
export type CreditMemoRecord = z.infer<typeof creditMemoRecordSchema>;

export const invoiceRecordSchema = z.looseObject({
  ...transactionBody,
  entity: recordRefSchema,
  amountRemaining: z.number().optional(),
  amountPaid: z.number().optional(),
});
export type InvoiceRecord = z.infer<typeof invoiceRecordSchema>;

export const customerPaymentRecordSchema = z.looseObject({
  ...transactionBody,
  customer: recordRefSchema,
  payment: z.number().optional(),
  applied: z.number().optional(),
  unapplied: z.number().optional(),
  apply: sublistSchema(applyLineSchema),
  credit: sublistSchema(z.looseObject({})).optional(),
  deposit: sublistSchema(z.looseObject({})).optional(),
});
export type CustomerPaymentRecord = z.infer<typeof customerPaymentRecordSchema>;

export const governanceLimitsSchema = z.object({
  accountConcurrencyLimit: z.number().int(),
  accountUnallocatedConcurrencyLimit: z.number().int().optional(),
  integrationConcurrencyLimit: z.number().int().optional(),
  integrationLimitType: z.enum(['integrationSpecific', 'accountLimit', 'internal']),
});
export type GovernanceLimits = z.infer<typeof governanceLimitsSchema>;

/** A custom body field read from a record: text, a select `{id, refName}` or absent; normalised to text or null. */
export function customFieldText(record: Record<string, unknown>, scriptId: string): string | null {
  const value = record[scriptId];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object' && 'refName' in value && typeof value.refName === 'string') return value.refName;
  return null;
}

/*
 * SuiteQL rows of the domain queries (queries.ts). Custom fields are aliased to fixed column names in the SQL,
 * so these schemas do not depend on the account's script ids.
 */
const optionalText = nsText.optional();

export const transactionHeaderRowSchema = z.object({
  id: nsId,
  tranid: optionalText,
  trandate: optionalText,
  lastmodified: nsText,
  memo: optionalText,
  entity: nsId,
  foreigntotal: nsNumber,
  foreignamountremaining: nsNumber.optional(),
  foreignpaymentamountused: nsNumber.optional(),
  foreignpaymentamountunused: nsNumber.optional(),
  zuoraid: optionalText,
  integrationstatus: optionalText,
  zuoratype: optionalText,
  origin: optionalText,
  zuoracustomerid: optionalText,
  syncupdates: optionalText,
});
export type TransactionHeaderRow = z.infer<typeof transactionHeaderRowSchema>;

export const applicationRowSchema = z.object({
  sourceid: nsId,
  docid: nsId,
  doctype: nsText,
  doctranid: optionalText,
  doczuoraid: optionalText,
  doczuoratype: optionalText,
  doctotal: nsNumber.optional(),
  amount: nsNumber,
});
export type ApplicationRow = z.infer<typeof applicationRowSchema>;

/** A document (invoice, or a Zuora debit memo held as an invoice) a credit memo or payment is applied to. */
export const appliedDocumentSchema = z.object({
  id: z.string(),
  type: z.string(),
  tranId: z.string().nullable(),
  zuoraId: z.string().nullable(),
  zuoraType: z.string().nullable(),
  total: z.number().nullable(),
  /** Amount of this application (absolute value). */
  amount: z.number(),
});
export type AppliedDocument = z.infer<typeof appliedDocumentSchema>;

const candidateBase = {
  id: z.string(),
  tranId: z.string().nullable(),
  /** `YYYY-MM-DD`. */
  tranDate: z.string().nullable(),
  /** `YYYY-MM-DDTHH:MM:SS` in the account's time zone: the watermark value for the next run. */
  lastModified: z.string(),
  customerId: z.string(),
  memo: z.string().nullable(),
  total: z.number(),
  zuoraId: z.string().nullable(),
  integrationStatus: z.string().nullable(),
  zuoraType: z.string().nullable(),
  origin: z.string().nullable(),
  applications: z.array(appliedDocumentSchema),
};

export const creditMemoCandidateSchema = z.object({
  ...candidateBase,
  zuoraCustomerIdSales: z.string().nullable(),
  /** Open (unapplied) amount; null when NetSuite did not return it (then nothing is decided: docs/netsuite-amounts.md). */
  amountRemaining: z.number().nullable(),
  applied: z.number(),
});
export type CreditMemoCandidate = z.infer<typeof creditMemoCandidateSchema>;

export const paymentCandidateSchema = z.object({
  ...candidateBase,
  zuoraCustomerIdPayment: z.string().nullable(),
  syncUpdates: z.string().nullable(),
  applied: z.number(),
  unapplied: z.number(),
});
export type PaymentCandidate = z.infer<typeof paymentCandidateSchema>;
