// zod schemas for every Zuora request and response the client uses; the TypeScript types are inferred from them.
// Response objects are loose (unknown fields pass through) because Zuora adds fields over time; request bodies are
// checked before sending so a bad call fails here, with a clear message, instead of as a Zuora 400.
import { z } from 'zod';

// ---------- shared ----------
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** NetSuite connector custom fields that Zuora objects carry (passed through unchanged). */
export const connectorFieldsSchema = z.object({
  IntegrationId__NS: z.string().max(255).optional(),
  IntegrationStatus__NS: z.string().max(255).optional(),
  Origin__NS: z.string().max(255).optional(),
  SyncDate__NS: z.string().max(255).optional(),
  Transaction__NS: z.string().max(255).optional(),
});

// ---------- OAuth ----------
export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'expected a bearer token'),
  expires_in: z.number().nonnegative(),
  scope: z.string().optional(),
  jti: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------- errors ----------
/** REST error body; also the legacy rate-limit body `{ reasons: [{ code: 70, ... }] }` without success/processId. */
export const restErrorBodySchema = z.looseObject({
  success: z.literal(false).optional(),
  processId: z.string().optional(),
  reasons: z.array(z.looseObject({ code: z.union([z.number(), z.string()]), message: z.string() })).min(1),
});
/** CRUD (`/v1/object/*`, `/v1/action/*`) error body. */
export const crudErrorBodySchema = z.looseObject({
  Success: z.literal(false).optional(),
  Errors: z.array(z.looseObject({ Code: z.string(), Message: z.string() })).min(1),
});
/** ZOQL `action/query`, `action/queryMore` and CRUD `action/*` errors: the spec's FaultResponse (docs/zuora.md §8). */
export const faultResponseSchema = z.looseObject({ FaultCode: z.string().min(1), FaultMessage: z.string().optional() });
/** Data Query and OAuth errors: the spec's CommonErrorResponse / DataQueryErrorResponse (an integer code). */
export const commonErrorBodySchema = z.looseObject({ code: z.number().int(), message: z.string() });
/** OAuth token endpoint errors (RFC 6749 §5.2). */
export const oauthErrorBodySchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });
export const messageErrorBodySchema = z.looseObject({ message: z.string() });

// ---------- credit memos (Invoice Settlement) ----------
export const transferredToAccountingSchema = z.enum(['Processing', 'Yes', 'No', 'Error', 'Ignore']);
export type TransferredToAccounting = z.infer<typeof transferredToAccountingSchema>;

/** The spec's CreditMemoResponse (docs/zuora.md §8): the open amount is `unappliedAmount`, the date `creditMemoDate`. */
export const creditMemoSchema = z.looseObject({
  id: z.string().min(1),
  number: z.string().min(1),
  accountId: z.string().optional(),
  amount: z.number().optional(),
  unappliedAmount: z.number().optional(),
  status: z.string().optional(),
  reasonCode: z.string().nullish(),
  transferredToAccounting: transferredToAccountingSchema.nullish(),
  excludeFromAutoApplyRules: z.boolean().optional(),
  creditMemoDate: isoDate.optional(),
  comment: z.string().nullish(),
  /** `yyyy-mm-dd hh:mm:ss` */
  createdDate: z.string().optional(),
  updatedDate: z.string().optional(),
});
export type CreditMemo = z.infer<typeof creditMemoSchema>;

export const creditMemoResponseSchema = creditMemoSchema.extend({ success: z.literal(true) });

/** Updatable credit memo fields (PUT /v1/credit-memos/{key}); custom `*__c` fields pass through. */
export const creditMemoUpdateSchema = connectorFieldsSchema
  .extend({
    transferredToAccounting: transferredToAccountingSchema.optional(),
    comment: z.string().max(255).optional(),
    reasonCode: z.string().max(32).optional(),
    effectiveDate: isoDate.optional(),
    excludeFromAutoApplyRules: z.boolean().optional(),
  })
  .catchall(z.unknown());
export type CreditMemoUpdate = z.input<typeof creditMemoUpdateSchema>;

export const BULK_CREDIT_MEMO_LIMIT = 50;
export const bulkCreditMemoItemSchema = creditMemoUpdateSchema.extend({ id: z.string().min(1) });
export type BulkCreditMemoItem = z.input<typeof bulkCreditMemoItemSchema>;
export const bulkCreditMemoRequestSchema = z.object({
  memos: z.array(bulkCreditMemoItemSchema).min(1).max(BULK_CREDIT_MEMO_LIMIT),
});

const bulkItemSuccessSchema = creditMemoSchema.extend({ success: z.literal(true) });
const bulkItemFailureSchema = z.looseObject({
  success: z.literal(false),
  id: z.string().optional(),
  objectIndex: z.number().int().nonnegative().optional(),
  processId: z.string().optional(),
  reasons: z.array(z.looseObject({ code: z.union([z.number(), z.string()]), message: z.string() })).min(1),
});
/** Top-level `success` may be true while items failed: callers must read every item. */
export const bulkCreditMemoResponseSchema = z.looseObject({
  success: z.literal(true),
  memos: z.array(z.discriminatedUnion('success', [bulkItemSuccessSchema, bulkItemFailureSchema])),
});

export const creditMemoListResponseSchema = z.looseObject({
  success: z.literal(true),
  creditmemos: z.array(creditMemoSchema).optional(),
  creditMemos: z.array(creditMemoSchema).optional(),
});

// ---------- Data Query ----------
export const dataQueryStatusSchema = z.enum([
  'accepted',
  'submitted',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
]);
export type DataQueryStatus = z.infer<typeof dataQueryStatusSchema>;

export const dataQueryRequestSchema = z.object({
  query: z.string().min(1),
  outputFormat: z.enum(['JSON', 'CSV', 'TSV', 'DSV']),
  compression: z.enum(['NONE', 'GZIP', 'ZIP']),
  output: z.object({ target: z.string() }).optional(),
  readDeleted: z.boolean().optional(),
});
export type DataQueryRequest = z.infer<typeof dataQueryRequestSchema>;

export const dataQueryJobSchema = z.looseObject({
  id: z.string().min(1),
  queryStatus: dataQueryStatusSchema,
  query: z.string().optional(),
  outputFormat: z.string().optional(),
  compression: z.string().optional(),
  dataFile: z.string().nullish(),
  outputRows: z.number().int().nonnegative().nullish(),
  errorMessage: z.string().nullish(),
  createdOn: z.string().optional(),
  updatedOn: z.string().optional(),
});
export type DataQueryJob = z.infer<typeof dataQueryJobSchema>;

/** Zuora wraps Data Query jobs in `{ data: job }` (INFERRED from the API reference examples; bare jobs accepted too). */
export const dataQueryJobResponseSchema = z.union([
  z.looseObject({ data: dataQueryJobSchema }).transform((r) => r.data),
  dataQueryJobSchema,
]);

// ---------- ZOQL action query ----------
export const ZOQL_MAX_BATCH_SIZE = 2000;
export const ZOQL_MAX_CONDITIONS = 200;
export const zoqlQueryRequestSchema = z.object({
  queryString: z.string().min(1),
  conf: z.object({ batchSize: z.number().int().min(1).max(ZOQL_MAX_BATCH_SIZE) }).optional(),
});
export const zoqlQueryMoreRequestSchema = z.object({ queryLocator: z.string().min(1) });
export const zoqlRecordSchema = z.record(z.string(), z.unknown());
export type ZoqlRecord = z.infer<typeof zoqlRecordSchema>;
export const zoqlQueryResponseSchema = z.looseObject({
  size: z.number().int().nonnegative(),
  records: z.array(zoqlRecordSchema).default([]),
  done: z.boolean(),
  queryLocator: z.string().optional(),
});
export type ZoqlPage = z.infer<typeof zoqlQueryResponseSchema>;

// ---------- invoice adjustments (CRUD) ----------
/**
 * One InvoiceAdjustment object of `/v1/action/create` (the spec types its objects as free-form maps, so these fields
 * are the CRUD object's, docs/zuora.md §4). INFERRED: not in Zuora's OpenAPI spec 2025-08-12: `AccountId` on a create
 * (the connector's mapping sends ZuoraCustomerIDSales there, seed 002; the invoice already names the account). If the
 * real API refuses it: every adjustment fails with a per-item INVALID_FIELD, nothing is written, the sync reports each
 * memo as an error; drop `AccountId` from the sync's request (src/activities/sync/rules.ts) and re-run.
 */
export const invoiceAdjustmentCreateSchema = connectorFieldsSchema
  .extend({
    Amount: z.number().positive(),
    Type: z.enum(['Credit', 'Charge']),
    InvoiceId: z.string().min(1).optional(),
    InvoiceNumber: z.string().min(1).optional(),
    AccountId: z.string().optional(),
    AdjustmentDate: isoDate.optional(),
    ReasonCode: z.string().max(32).optional(),
    ReferenceId: z.string().max(100).optional(),
    Comments: z.string().max(255).optional(),
    AccountingCode: z.string().optional(),
    TransferredToAccounting: transferredToAccountingSchema.optional(),
  })
  .catchall(z.unknown())
  .refine((b) => b.InvoiceId !== undefined || b.InvoiceNumber !== undefined, 'InvoiceId or InvoiceNumber is required');
export type InvoiceAdjustmentCreate = z.input<typeof invoiceAdjustmentCreateSchema>;

export const ACTION_CREATE_LIMIT = 50;
export const actionCreateRequestSchema = z.object({
  type: z.string().min(1),
  objects: z.array(z.record(z.string(), z.unknown())).min(1).max(ACTION_CREATE_LIMIT),
});
/** `/v1/action/create` answers one SaveResult per object, in order. */
export const actionCreateResponseSchema = z.array(
  z.union([
    z.looseObject({ Success: z.literal(true), Id: z.string().min(1) }),
    z.looseObject({
      Success: z.literal(false),
      Errors: z.array(z.looseObject({ Code: z.string(), Message: z.string() })).min(1),
    }),
  ]),
);

export const invoiceAdjustmentRecordSchema = z.looseObject({
  Id: z.string(),
  ReferenceId: z.string().optional(),
  InvoiceId: z.string().optional(),
  Amount: z.number().optional(),
  Type: z.string().optional(),
  Status: z.string().optional(),
});
export type InvoiceAdjustmentRecord = z.infer<typeof invoiceAdjustmentRecordSchema>;

// ---------- payments (Invoice Settlement) ----------
/**
 * `POST /v1/payments` (the spec's CreatePaymentRequest). INFERRED: not in Zuora's OpenAPI spec 2025-08-12: the
 * connector custom fields (`IntegrationId__NS`, `Origin__NS`, `SyncDate__NS`, `Transaction__NS`); custom fields
 * travel as additional properties (docs/zuora.md §8). If the real API refuses them: the create fails with a 400 before
 * any payment exists (nothing to undo); if it silently drops them, the payment exists without IntegrationId__NS and
 * the sync's look-up by IntegrationId__NS misses it — the Idempotency-Key still prevents a second payment within 24 h.
 * Check in a sandbox tenant (README "Pointing it at real systems").
 */
export const paymentCreateSchema = connectorFieldsSchema
  .extend({
    amount: z.number().positive(),
    currency: z.string().length(3),
    type: z.enum(['External', 'Electronic']),
    accountId: z.string().optional(),
    accountNumber: z.string().optional(),
    paymentMethodId: z.string().optional(),
    paymentMethodType: z.string().optional(),
    effectiveDate: isoDate.optional(),
    referenceId: z.string().max(100).optional(),
    comment: z.string().max(255).optional(),
    /** Create a payment's finance information; the connector's payments arrive already in the ledger (Yes). */
    financeInformation: z
      .object({
        transferredToAccounting: z.enum(['Processing', 'Yes', 'No', 'Error', 'Ignore']).optional(),
        bankAccountAccountingCode: z.string().optional(),
        unappliedPaymentAccountingCode: z.string().optional(),
      })
      .optional(),
    invoices: z
      .array(
        z.object({
          invoiceId: z.string().optional(),
          invoiceNumber: z.string().optional(),
          amount: z.number().positive(),
        }),
      )
      .max(1000)
      .optional(),
  })
  .catchall(z.unknown())
  .refine((b) => b.accountId !== undefined || b.accountNumber !== undefined, 'accountId or accountNumber is required');
export type PaymentCreate = z.input<typeof paymentCreateSchema>;

export const paymentSchema = z.looseObject({
  id: z.string().min(1),
  number: z.string().min(1),
  status: z.string().optional(),
  amount: z.number().optional(),
  appliedAmount: z.number().optional(),
  unappliedAmount: z.number().optional(),
  accountId: z.string().optional(),
  currency: z.string().optional(),
  type: z.string().optional(),
  referenceId: z.string().nullish(),
});
export type Payment = z.infer<typeof paymentSchema>;
export const paymentResponseSchema = paymentSchema.extend({ success: z.literal(true) });

// ---------- ZOQL records the syncs look up (select lists in ZuoraClient) ----------
const zoqlIdSchema = z.looseObject({ Id: z.string() });
export const paymentRecordSchema = zoqlIdSchema.extend({
  IntegrationId__NS: z.string().optional(),
  Status: z.string().optional(),
});
export const accountRecordSchema = zoqlIdSchema.extend({ Currency: z.string().optional() });
export type AccountRecord = z.infer<typeof accountRecordSchema>;
export const invoiceRecordSchema = zoqlIdSchema.extend({ IntegrationId__NS: z.string().optional() });
export type InvoiceRecord = z.infer<typeof invoiceRecordSchema>;

// ---------- payment runs (the readiness preflight, docs/zuora.md §10) ----------
/** `GET /v1/payment-runs` pages hold at most 40 (the spec's `pageSize` maximum). */
export const PAYMENT_RUN_PAGE_SIZE = 40;
/** The spec's PaymentRun, the fields the preflight reads; `applyCreditBalance` exists only without IS. */
export const paymentRunSchema = z.looseObject({
  id: z.string(),
  number: z.string().optional(),
  status: z.string().optional(),
  applyCreditBalance: z.boolean().nullish(),
  runDate: z.string().nullish(),
});
export type PaymentRun = z.infer<typeof paymentRunSchema>;
export const paymentRunListResponseSchema = z.looseObject({
  paymentRuns: z.array(paymentRunSchema).default([]),
  nextPage: z.string().nullish(),
  success: z.literal(true).optional(),
});
