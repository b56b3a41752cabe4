// The tenant registry (README "Running for many tenants"): a JSON file and/or a folder of per-tenant secret files,
// validated at start with errors naming the source, the tenant and the field, secrets never printed; clients built
// on a tenant's first use, each tenant with its own gates.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, Secret } from '../../src/config';
import { readTenantRegistry } from '../../src/tenants/load';
import { TenantRegistry } from '../../src/tenants/registry';

const SECRETS = ['zuora-secret-acme', 'cs-secret-acme', 'ts-secret-acme', 'zuora-secret-beta', 'ts-secret-beta'];

const acme = {
  id: 'acme',
  zuora: {
    baseUrl: 'https://rest.zuora.com/',
    clientId: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9',
    clientSecret: 'zuora-secret-acme',
    concurrencyLimit: 60,
  },
  netsuite: {
    accountId: '1234567_SB1',
    restBaseUrl: 'https://1234567-sb1.suitetalk.api.netsuite.com',
    consumerKey: 'ck-acme',
    consumerSecret: 'cs-secret-acme',
    tokenId: 'tid-acme',
    tokenSecret: 'ts-secret-acme',
  },
};

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'tenant-registry-'));
}

function registryFile(tenants: unknown, dir = folder()): string {
  const file = join(dir, 'tenants.json');
  writeFileSync(file, typeof tenants === 'string' ? tenants : JSON.stringify(tenants));
  return file;
}

/** TENANT_REGISTRY_DIR/<id>/<field> as Kubernetes mounts a secret: each key a link into ..data. */
function tenantFolder(root: string, id: string, fields: Record<string, string>): void {
  const data = join(root, id, '..2026_12_01');
  mkdirSync(data, { recursive: true });
  symlinkSync('..2026_12_01', join(root, id, '..data'));
  for (const [name, value] of Object.entries(fields)) {
    writeFileSync(join(data, name), `${value}\n`);
    symlinkSync(join('..data', name), join(root, id, name));
  }
}

const betaFields = {
  'zuora.baseUrl': 'https://rest.eu.zuora.com',
  'zuora.clientId': 'a1b2c3d4-e5f6-4789-8abc-def012345678',
  'zuora.clientSecret': 'zuora-secret-beta',
  'zuora.concurrencyLimit': '20',
  'netsuite.accountId': '7654321',
  'netsuite.restBaseUrl': 'https://7654321.suitetalk.api.netsuite.com',
  'netsuite.consumerKey': 'ck-beta',
  'netsuite.consumerSecret': 'cs-secret-beta',
  'netsuite.tokenId': 'tid-beta',
  'netsuite.tokenSecret': 'ts-secret-beta',
};

function problemsOf(read: () => unknown): string[] {
  try {
    read();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    for (const p of problems) for (const s of SECRETS) expect(p).not.toContain(s);
    return problems;
  }
  throw new Error('expected a ConfigError');
}

describe('tenant registry: reading', () => {
  test('a JSON file: every tenant with its limits; secrets wrapped, inline or as <field>File, never printed', () => {
    const dir = folder();
    writeFileSync(join(dir, 'acme-token-secret'), 'ts-secret-acme\n');
    const { tokenSecret: _inline, ...netsuite } = acme.netsuite;
    const file = registryFile([{ ...acme, netsuite: { ...netsuite, tokenSecretFile: 'acme-token-secret' } }], dir);
    const [t, ...rest] = readTenantRegistry({ file });
    expect(rest).toEqual([]);
    expect(t!.id).toBe('acme');
    expect(t!.zuora).toMatchObject({ baseUrl: 'https://rest.zuora.com', concurrencyLimit: 60 });
    expect(t!.netsuite.concurrencyLimit).toBe(5); // NetSuite's default account limit, as NETSUITE_CONCURRENCY_LIMIT
    expect(t!.zuora.clientSecret).toBeInstanceOf(Secret);
    expect(t!.netsuite.tokenSecret.reveal()).toBe('ts-secret-acme');
    const printed = `${inspect(t, { depth: 9 })} ${JSON.stringify(t)}`;
    for (const s of SECRETS) expect(printed).not.toContain(s);
  });

  test('a folder per tenant, one file per field (a mounted Kubernetes secret); with a file, both are served', () => {
    const root = folder();
    tenantFolder(root, 'beta', betaFields);
    const tenants = readTenantRegistry({ file: registryFile([acme]), dir: root });
    expect(tenants.map((t) => t.id)).toEqual(['acme', 'beta']);
    expect(tenants[1]!.zuora).toMatchObject({ baseUrl: 'https://rest.eu.zuora.com', concurrencyLimit: 20 });
    expect(tenants[1]!.netsuite.consumerSecret.reveal()).toBe('cs-secret-beta');
  });

  test('a bad field is named with its tenant and source, its value hidden', () => {
    const file = registryFile([{ ...acme, zuora: { ...acme.zuora, clientId: 'short', concurrencyLimit: 0 } }]);
    expect(problemsOf(() => readTenantRegistry({ file }))).toEqual([
      `TENANT_REGISTRY=${file}: tenant "acme": zuora.clientId: must be the 36-character OAuth client id Zuora shows (value hidden)`,
      `TENANT_REGISTRY=${file}: tenant "acme": zuora.concurrencyLimit: must be greater than 0 (got 0)`,
    ]);
  });

  test('missing fields, unknown fields, both a secret and its file, an unreadable file: each named', () => {
    const { tokenSecret: _t, ...noTokenSecret } = acme.netsuite;
    const file = registryFile([
      { ...acme, netsuite: noTokenSecret },
      { ...acme, id: 'beta', zuora: { ...acme.zuora, clientSecert: 'zuora-secret-beta' } },
      { ...acme, id: 'gamma', zuora: { ...acme.zuora, clientSecretFile: '/nowhere/secret' } },
      { ...acme, id: 'delta', zuora: { ...acme.zuora, clientSecret: undefined, clientSecretFile: '/nowhere/secret' } },
    ]);
    const problems = problemsOf(() => readTenantRegistry({ file }));
    expect(problems).toEqual([
      `TENANT_REGISTRY=${file}: tenant "acme": netsuite.tokenSecret: missing`,
      expect.stringMatching(/: tenant "beta": zuora: Unrecognized key: "clientSecert"$/),
      `TENANT_REGISTRY=${file}: tenant "gamma": zuora.clientSecret and zuora.clientSecretFile are both set: set only one`,
      `TENANT_REGISTRY=${file}: tenant "delta": zuora.clientSecretFile: cannot read /nowhere/secret (ENOENT)`,
    ]);
  });

  test('a folder: a bad value, an unknown file and a missing field, each named by tenant and field', () => {
    const root = folder();
    tenantFolder(root, 'beta', { ...betaFields, 'zuora.concurrencyLimit': 'forty' });
    const { 'netsuite.tokenId': _id, ...noTokenId } = betaFields;
    tenantFolder(root, 'gamma', noTokenId);
    tenantFolder(root, 'delta', { ...betaFields, 'zuora.clientSecert': 'x' });
    expect(problemsOf(() => readTenantRegistry({ dir: root }))).toEqual([
      `TENANT_REGISTRY_DIR=${root}: tenant "beta": zuora.concurrencyLimit: must be a whole number (got "forty")`,
      expect.stringMatching(
        /^TENANT_REGISTRY_DIR=.*: tenant "delta": unknown file "zuora.clientSecert" \(a tenant folder holds: zuora.baseUrl, /,
      ),
      `TENANT_REGISTRY_DIR=${root}: tenant "gamma": netsuite.tokenId: missing`,
    ]);
  });

  test('a bad tenant id, a tenant twice, not JSON (without quoting it), not a list, nothing at all', () => {
    const root = folder();
    tenantFolder(root, 'acme', betaFields);
    const file = registryFile([acme, { ...acme, id: 'no spaces' }]);
    expect(problemsOf(() => readTenantRegistry({ file, dir: root }))).toEqual([
      `TENANT_REGISTRY=${file}: tenant "no spaces": id: must be 1-63 letters, digits, "-" or "_" (got "no spaces")`,
      `TENANT_REGISTRY_DIR=${root}: tenant "acme": listed twice (also in TENANT_REGISTRY=${file})`,
    ]);
    const broken = registryFile('[{"id": "acme", "zuora": {"clientSecret": zuora-secret-acme}}]');
    // Node's own message quotes the text around the error: here, the secret (problemsOf checks none is printed).
    expect(problemsOf(() => readTenantRegistry({ file: broken }))).toEqual([
      expect.stringMatching(/^TENANT_REGISTRY=.*: is not valid JSON \(/),
    ]);
    const object = registryFile({ tenants: [acme] });
    expect(problemsOf(() => readTenantRegistry({ file: object }))[0]).toMatch(/: must be a JSON list of tenants/);
    const empty = registryFile([]);
    expect(problemsOf(() => readTenantRegistry({ file: empty }))).toEqual([
      `TENANT_REGISTRY=${empty}: no tenants (add one: README "Running for many tenants")`,
    ]);
  });
});

describe('tenant registry: the environment', () => {
  test('TENANT_REGISTRY replaces the single-tenant settings: no emulators, and TENANT_ID / ZUORA_* alongside is refused', () => {
    const c = loadConfig({ TENANT_REGISTRY: '/etc/tenants.json', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(c.tenantRegistry).toEqual({ file: '/etc/tenants.json', dir: undefined });
    expect(c.emulators).toEqual({ zuora: false, netsuite: false });
    let problems: string[] = [];
    try {
      loadConfig({ TENANT_REGISTRY_DIR: '/etc/tenants', TENANT_ID: 'acme', ZUORA_CONCURRENCY_LIMIT: '40' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      "TENANT_ID, ZUORA_CONCURRENCY_LIMIT: set together with TENANT_REGISTRY_DIR (a tenant's settings go in its registry entry; unset these)",
    ]);
  });
});

describe('tenant registry: clients', () => {
  const beta = { ...acme, id: 'beta', zuora: { ...acme.zuora, concurrencyLimit: 40 } };

  test("clients are built on a tenant's first use, kept, and each tenant has its own gates sized by its limits", () => {
    const registry = new TenantRegistry(readTenantRegistry({ file: registryFile([acme, beta]) }), 'TENANT_REGISTRY=x');
    expect(registry.ids()).toEqual(['acme', 'beta']);
    expect(registry.built).toBe(0);
    const a = registry.get('acme')!;
    expect(registry.built).toBe(1);
    expect(registry.get('acme')).toBe(a);
    const b = registry.get('beta')!;
    expect(b.zuoraGate).not.toBe(a.zuoraGate);
    expect(b.netsuiteGate).not.toBe(a.netsuiteGate);
    expect(a.limits).toEqual({ zuora: 60, netsuite: 5 });
    expect(registry.get('ghost')).toBeUndefined();
  });

  test('a reload keeps the clients of unchanged tenants and renews those whose settings changed', () => {
    const registry = new TenantRegistry(readTenantRegistry({ file: registryFile([acme, beta]) }), 'TENANT_REGISTRY=x');
    const a = registry.get('acme')!;
    const b = registry.get('beta')!;
    const rotated = { ...beta, zuora: { ...beta.zuora, clientSecret: 'zuora-secret-beta-2' } };
    const gamma = { ...acme, id: 'gamma' };
    const change = registry.replace(readTenantRegistry({ file: registryFile([acme, rotated, gamma]) }));
    expect(change).toEqual({ added: ['gamma'], changed: ['beta'], removed: [] });
    expect(registry.get('acme')).toBe(a);
    expect(registry.get('beta')).not.toBe(b);
    expect(registry.replace(readTenantRegistry({ file: registryFile([gamma]) })).removed).toEqual(['acme', 'beta']);
    expect(registry.get('acme')).toBeUndefined();
  });
});
