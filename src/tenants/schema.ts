// One tenant of the registry (README "Running for many tenants"): the same settings, and the same rules, as the
// single-tenant environment (TENANT_ID, ZUORA_*, NETSUITE_*: src/config.ts), as one JSON object per tenant.
import { z } from 'zod';
import {
  DEFAULT_CONCURRENCY_LIMIT,
  httpUrl,
  nonEmpty,
  Secret,
  tenantIdSchema,
  zuoraClientId,
  type NetSuiteConfig,
  type ZuoraConfig,
} from '../config';

const limit = (fallback: number) =>
  z.number('must be a whole number').int('must be a whole number').positive('must be greater than 0').default(fallback);

const zuoraEntry = z.strictObject({
  baseUrl: httpUrl,
  clientId: zuoraClientId,
  clientSecret: nonEmpty,
  entityId: nonEmpty.optional(),
  /** The tenant's Zuora concurrency limit (docs/zuora.md): our gate takes 80% of it (src/tenants/registry.ts). */
  concurrencyLimit: limit(DEFAULT_CONCURRENCY_LIMIT.zuora),
});

const netsuiteEntry = z.strictObject({
  accountId: nonEmpty,
  restBaseUrl: httpUrl,
  consumerKey: nonEmpty,
  consumerSecret: nonEmpty,
  tokenId: nonEmpty,
  tokenSecret: nonEmpty,
  concurrencyLimit: limit(DEFAULT_CONCURRENCY_LIMIT.netsuite),
});

/** A registry entry once its `<field>File` secrets are read in (src/tenants/load.ts). */
export const tenantEntrySchema = z
  .strictObject({ id: tenantIdSchema, zuora: zuoraEntry, netsuite: netsuiteEntry })
  .transform((t): TenantConfig => ({
    id: t.id,
    zuora: { ...t.zuora, clientSecret: new Secret(t.zuora.clientSecret) },
    netsuite: {
      ...t.netsuite,
      consumerSecret: new Secret(t.netsuite.consumerSecret),
      tokenSecret: new Secret(t.netsuite.tokenSecret),
    },
  }));

export type TenantConfig = { id: string; zuora: ZuoraConfig; netsuite: NetSuiteConfig };

/** Credentials that may be given inline or as `<field>File` (a mounted secret), as X / X_FILE in the environment. */
export const FILE_FIELDS = {
  zuora: ['clientId', 'clientSecret'],
  netsuite: ['consumerKey', 'consumerSecret', 'tokenId', 'tokenSecret'],
} as const;

/** Fields whose value an error may show (URLs only as scheme://host); every other value is hidden. */
export const SHOWN_FIELDS = new Set([
  'id',
  'zuora.entityId',
  'zuora.concurrencyLimit',
  'netsuite.accountId',
  'netsuite.concurrencyLimit',
]);
export const URL_FIELDS = new Set(['zuora.baseUrl', 'netsuite.restBaseUrl']);

/** The fields a tenant folder may hold, one file each (TENANT_REGISTRY_DIR/<tenant>/<field>). */
export const DIR_FIELDS = [
  ...Object.keys(zuoraEntry.shape).map((k) => `zuora.${k}`),
  ...Object.keys(netsuiteEntry.shape).map((k) => `netsuite.${k}`),
];
