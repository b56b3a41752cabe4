// Reloading the tenant registry without a restart: on SIGHUP (main.ts) and every RELOAD_EVERY_MS (a Kubernetes
// secret volume is updated in place, without a signal). A reload is validated exactly as at start; a bad one keeps
// the registry the worker has and says why (once per distinct reason, not at every poll).
import { ConfigError, type TenantRegistrySource } from '../config';
import { readTenantRegistry } from './load';
import type { TenantRegistry } from './registry';

export const RELOAD_EVERY_MS = 30_000;

export type RegistryWatch = { reload(): void; stop(): void };

export function watchTenantRegistry(o: {
  registry: TenantRegistry;
  source: TenantRegistrySource;
  say: (line: string) => void;
  everyMs?: number;
}): RegistryWatch {
  let lastRefusal: string | undefined;
  const reload = () => {
    let tenants;
    try {
      tenants = readTenantRegistry(o.source);
    } catch (err) {
      // ConfigError names tenants and fields only; anything else is not trusted to be free of a secret.
      const why = err instanceof ConfigError ? err.message : 'the registry could not be read';
      if (why !== lastRefusal)
        o.say(`tenant registry not reloaded, still serving its ${o.registry.size} tenants: ${why}`);
      lastRefusal = why;
      return;
    }
    lastRefusal = undefined;
    const { added, changed, removed } = o.registry.replace(tenants);
    if (added.length + changed.length + removed.length > 0)
      o.say(
        `tenant registry reloaded from ${o.registry.source}: ${o.registry.size} tenants` +
          ` (added: ${added.join(', ') || 'none'}; changed: ${changed.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'})`,
      );
  };
  const timer = setInterval(reload, o.everyMs ?? RELOAD_EVERY_MS);
  timer.unref();
  return { reload, stop: () => clearInterval(timer) };
}
