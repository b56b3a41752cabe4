// How the worker and the CLI reach Temporal: @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TLS settings, TOML profiles), the ecosystem's convention for a cluster or Temporal Cloud.
// No address configured means "use the embedded dev server" (npm start) or localhost (the CLI).
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export type TemporalTarget = {
  /** Where the address came from: 'env/profile' when configured, 'embedded' when npm start runs its own server. */
  configured: boolean;
  address?: string;
  namespace: string;
  connectionOptions: NativeConnectionOptions;
};

export function resolveTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  let profile;
  try {
    profile = loadClientConfigProfile({
      overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    });
  } catch (err) {
    throw new Error(
      `Temporal client configuration (envconfig profile / TEMPORAL_* variables): ${(err as Error).message}`,
    );
  }
  const { connectionOptions, namespace } = toClientOptions(profile);
  return {
    configured: profile.address !== undefined,
    address: profile.address,
    namespace: namespace ?? 'default',
    connectionOptions,
  };
}
