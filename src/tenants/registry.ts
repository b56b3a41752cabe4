// The tenants this worker serves, each with its own Zuora and NetSuite clients behind its own request gates. Clients
// are built on a tenant's first activity and kept (50 configured tenants cost little until they run). Secrets are
// revealed here, into the HTTP clients, and nowhere else.
import type { BackoffOptions } from '../http/backoff';
import { RequestGate } from '../http/request-gate';
import { NetSuiteClient } from '../netsuite/client';
import { ZuoraClient } from '../zuora/client';
import type { TenantConfig } from './schema';

/** Our share of a tenant's concurrency limit: leave 20% for the other integrations. */
export const budgetOf = (limit: number) => Math.max(1, Math.floor(limit * 0.8));

export type TenantEntry = {
  readonly id: string;
  readonly zuora: ZuoraClient;
  readonly netsuite: NetSuiteClient;
  /** Every Zuora request of this tenant from this process passes it (budgetOf its limit); setMaxInFlight tunes it. */
  readonly zuoraGate: RequestGate;
  /** Every NetSuite request of this tenant from this process passes it (its account's limit). */
  readonly netsuiteGate: RequestGate;
  readonly limits: { readonly zuora: number; readonly netsuite: number };
};

export type TenantClientOptions = { backoff?: BackoffOptions };

export class TenantRegistry {
  #configs: Map<string, TenantConfig>;
  readonly #entries = new Map<string, TenantEntry>();

  /** `source` names where the tenants come from (TENANT_REGISTRY=…), for messages about a tenant it lacks. */
  constructor(
    tenants: readonly TenantConfig[],
    readonly source: string,
    private readonly clientOptions: TenantClientOptions = {},
  ) {
    this.#configs = new Map(tenants.map((t) => [t.id, t]));
  }

  ids(): string[] {
    return [...this.#configs.keys()];
  }

  get size(): number {
    return this.#configs.size;
  }

  /** How many tenants have had their clients built (ran an activity in this process). */
  get built(): number {
    return this.#entries.size;
  }

  /** The tenant's clients and gates, built on first use; undefined for a tenant the registry does not list. */
  get(tenantId: string): TenantEntry | undefined {
    const config = this.#configs.get(tenantId);
    if (!config) return undefined;
    let entry = this.#entries.get(tenantId);
    if (!entry) {
      entry = buildEntry(config, this.clientOptions);
      this.#entries.set(tenantId, entry);
    }
    return entry;
  }

  /**
   * A reloaded registry: tenants whose settings did not change keep their clients and gates (requests in flight and
   * the gates' budgets carry on); changed or removed tenants get new clients on their next activity.
   */
  replace(tenants: readonly TenantConfig[]): { added: string[]; changed: string[]; removed: string[] } {
    const next = new Map(tenants.map((t) => [t.id, t]));
    const added = [...next.keys()].filter((id) => !this.#configs.has(id));
    const removed = [...this.#configs.keys()].filter((id) => !next.has(id));
    const changed = [...next.keys()].filter(
      (id) => this.#configs.has(id) && !sameSettings(this.#configs.get(id)!, next.get(id)!),
    );
    for (const id of [...removed, ...changed]) this.#entries.delete(id);
    this.#configs = next;
    return { added, changed, removed };
  }
}

function buildEntry(t: TenantConfig, o: TenantClientOptions): TenantEntry {
  const zuoraGate = new RequestGate({ maxInFlight: budgetOf(t.zuora.concurrencyLimit) });
  const netsuiteGate = new RequestGate({ maxInFlight: t.netsuite.concurrencyLimit });
  return {
    id: t.id,
    zuoraGate,
    netsuiteGate,
    limits: { zuora: t.zuora.concurrencyLimit, netsuite: t.netsuite.concurrencyLimit },
    zuora: new ZuoraClient({
      baseUrl: t.zuora.baseUrl,
      clientId: t.zuora.clientId,
      clientSecret: t.zuora.clientSecret.reveal(),
      entityIds: t.zuora.entityId,
      gate: zuoraGate,
      ...(o.backoff ? { backoff: o.backoff } : {}),
    }),
    netsuite: new NetSuiteClient({
      accountId: t.netsuite.accountId,
      restBaseUrl: t.netsuite.restBaseUrl,
      consumerKey: t.netsuite.consumerKey,
      consumerSecret: t.netsuite.consumerSecret.reveal(),
      tokenId: t.netsuite.tokenId,
      tokenSecret: t.netsuite.tokenSecret.reveal(),
      gate: netsuiteGate,
      ...(o.backoff ? { backoff: o.backoff } : {}),
    }),
  };
}

/** Compared with the secrets revealed (in memory only): a rotated secret is a changed tenant. */
function sameSettings(a: TenantConfig, b: TenantConfig): boolean {
  const plain = (t: TenantConfig) =>
    JSON.stringify([
      t.zuora.baseUrl,
      t.zuora.clientId,
      t.zuora.clientSecret.reveal(),
      t.zuora.entityId ?? null,
      t.zuora.concurrencyLimit,
      t.netsuite.accountId,
      t.netsuite.restBaseUrl,
      t.netsuite.consumerKey,
      t.netsuite.consumerSecret.reveal(),
      t.netsuite.tokenId,
      t.netsuite.tokenSecret.reveal(),
      t.netsuite.concurrencyLimit,
    ]);
  return plain(a) === plain(b);
}
