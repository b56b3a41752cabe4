/**
 * Script ids of the Zuora connector's NetSuite custom fields — the ONE place they are named.
 *
 * INFERRED: docs/zuora.md §7 names the fields (Zuora ID, Zuora Integration Status, …) but not their script
 * ids, which depend on the connector bundle installed in the account. These defaults are our choice; a deployment
 * whose account uses other ids passes overrides to `connectorFields()`.
 */
export interface ConnectorFieldIds {
  /** Transaction body: the Zuora object id this record mirrors or created. */
  zuoraId: string;
  /** Transaction body: empty / `Sync Complete` / `Creating Invoice Adjustment` / `Creating Payment` / `Error` / … */
  integrationStatus: string;
  /** Transaction body: `NETSUITE` | `ZUORA`. */
  origin: string;
  /** Transaction body: e.g. `INVOICE`, `NEGATIVE_INVOICE`, `DEBIT_MEMO`; empty for NetSuite-native records. */
  zuoraType: string;
  /** Transaction body: Zuora Customer ID (Sales) — the Zuora account for invoices and credit memos. */
  customerIdSales: string;
  /** Transaction body: Zuora Customer ID (Payment) — the Zuora account for payments. */
  customerIdPayment: string;
  syncDate: string;
  referenceNumber: string;
  /** Transaction body: `Yes` / `No`; the post-upgrade payment sync only picks up `Yes`. */
  syncUpdates: string;
  /**
   * Transaction body: the message of the last failed sync attempt (set with Integration Status `Error`, cleared on
   * success). INFERRED: the connector docs send the details to its sync log; our syncs keep them on the record.
   */
  syncError: string;
  /** Customer (entity) field holding the Zuora account id. */
  customerZuoraId: string;
}

export const DEFAULT_CONNECTOR_FIELDS: Readonly<ConnectorFieldIds> = Object.freeze({
  zuoraId: 'custbody_zuora_id',
  integrationStatus: 'custbody_zuora_integration_status',
  origin: 'custbody_zuora_origin',
  zuoraType: 'custbody_zuora_type',
  customerIdSales: 'custbody_zuora_customer_id_sales',
  customerIdPayment: 'custbody_zuora_customer_id_payment',
  syncDate: 'custbody_zuora_sync_date',
  referenceNumber: 'custbody_zuora_reference_number',
  syncUpdates: 'custbody_zuora_sync_updates',
  syncError: 'custbody_zuora_sync_error',
  customerZuoraId: 'custentity_zuora_customer_id',
});

/** Integration Status values the syncs read and write (from the connector docs). */
export const IntegrationStatus = {
  syncComplete: 'Sync Complete',
  creatingInvoiceAdjustment: 'Creating Invoice Adjustment',
  creatingPayment: 'Creating Payment',
  error: 'Error',
  ignore: 'Ignore',
} as const;

export const ZuoraType = {
  invoice: 'INVOICE',
  negativeInvoice: 'NEGATIVE_INVOICE',
  /** INFERRED: how a Zuora debit memo synced to NetSuite is typed. */
  debitMemo: 'DEBIT_MEMO',
} as const;

// Script ids are interpolated into SuiteQL and used as record keys, so only plain identifiers are accepted.
const BODY_FIELD = /^custbody[a-z0-9_]+$/;
const ENTITY_FIELD = /^custentity[a-z0-9_]+$/;

export function connectorFields(overrides: Partial<ConnectorFieldIds> = {}): ConnectorFieldIds {
  const fields: ConnectorFieldIds = { ...DEFAULT_CONNECTOR_FIELDS, ...overrides };
  for (const [name, scriptId] of Object.entries(fields) as [keyof ConnectorFieldIds, string][]) {
    const pattern = name === 'customerZuoraId' ? ENTITY_FIELD : BODY_FIELD;
    if (!pattern.test(scriptId)) {
      throw new Error(`NetSuite field ${name}: script id ${JSON.stringify(scriptId)} does not match ${pattern}`);
    }
  }
  return fields;
}

/** The transaction body fields, in a fixed order (the emulator creates one column each). */
export function transactionBodyFieldIds(fields: ConnectorFieldIds): string[] {
  return [
    fields.zuoraId,
    fields.integrationStatus,
    fields.origin,
    fields.zuoraType,
    fields.customerIdSales,
    fields.customerIdPayment,
    fields.syncDate,
    fields.referenceNumber,
    fields.syncUpdates,
    fields.syncError,
  ];
}
