// Reloading the tenant registry (src/tenants/reload.ts): validated as at start; a bad reload keeps what the worker
// serves and says why, once.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTenantRegistry } from '../../src/tenants/load';
import { TenantRegistry } from '../../src/tenants/registry';
import { watchTenantRegistry } from '../../src/tenants/reload';

const tenant = (id: string, clientSecret = 'zuora-secret') => ({
  id,
  zuora: { baseUrl: 'https://rest.zuora.com', clientId: 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9', clientSecret },
  netsuite: {
    accountId: '1234567',
    restBaseUrl: 'https://1234567.suitetalk.api.netsuite.com',
    consumerKey: 'ck',
    consumerSecret: 'cs-secret',
    tokenId: 'tid',
    tokenSecret: 'ts-secret',
  },
});

test('a reload adds, changes and removes tenants; a bad one keeps the registry, says why once, and hides secrets', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'registry-reload-')), 'tenants.json');
  writeFileSync(file, JSON.stringify([tenant('acme'), tenant('beta')]));
  const registry = new TenantRegistry(readTenantRegistry({ file }), `TENANT_REGISTRY=${file}`);
  const said: string[] = [];
  const watch = watchTenantRegistry({ registry, source: { file }, say: (l) => said.push(l), everyMs: 3_600_000 });
  try {
    watch.reload(); // nothing changed: nothing said
    expect(said).toEqual([]);

    writeFileSync(file, JSON.stringify([tenant('acme', 'rotated-secret'), tenant('gamma')]));
    watch.reload();
    expect(registry.ids()).toEqual(['acme', 'gamma']);
    expect(said).toEqual([
      `tenant registry reloaded from TENANT_REGISTRY=${file}: 2 tenants (added: gamma; changed: acme; removed: beta)`,
    ]);

    writeFileSync(file, JSON.stringify([tenant('acme', 'rotated-secret'), { ...tenant('delta'), zuora: {} }]));
    watch.reload();
    watch.reload();
    expect(registry.ids()).toEqual(['acme', 'gamma']);
    expect(said).toHaveLength(2);
    expect(said[1]).toMatch(/^tenant registry not reloaded, still serving its 2 tenants: Invalid configuration:/);
    expect(said[1]).toContain('tenant "delta": zuora.baseUrl: missing');
    expect(said.join('\n')).not.toMatch(/secret/);
  } finally {
    watch.stop();
  }
});
