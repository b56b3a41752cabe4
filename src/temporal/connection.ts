// How the worker and the CLI reach Temporal: @temporalio/envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY, TLS settings, TOML profiles), the ecosystem's convention for a cluster or Temporal Cloud.
// No address configured means "use the embedded dev server" (npm start) or localhost (the CLI).
// What envconfig leaves unchecked is checked here before anything connects (issue 16, point 3): its booleans read
// anything but "1"/"true" as false (node_modules/@temporalio/envconfig/src/envconfig-toml.ts, envVarToBool), so
// `TEMPORAL_TLS=ture` meant "no TLS" and an API key went out in plaintext; and the address is never echoed, since
// a malformed one may be a pasted key.
import { loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

export type TemporalTarget = {
  /** Where the address came from: 'env/profile' when configured, 'embedded' when npm start runs its own server. */
  configured: boolean;
  address?: string;
  namespace: string;
  connectionOptions: NativeConnectionOptions;
};

/** A Temporal setting that is wrong: the process exits 2 (like ConfigError); the message never holds the value. */
export class TemporalConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConfigError';
  }
}

/** The boolean words envconfig tells apart ("1"/"true" on, "0"/"false" off); anything else is refused. */
const ENV_BOOLEANS = ['TEMPORAL_TLS', 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', 'TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS'];
const BOOLEAN = /^(true|false|1|0)$/;
/** host:port, host, or [ipv6]:port: what a gRPC target is. */
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:\d{1,5})?$/;

export function resolveTemporalTarget(env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  for (const name of ENV_BOOLEANS) {
    const v = env[name];
    if (v !== undefined && v !== '' && !BOOLEAN.test(v))
      throw new TemporalConfigError(`${name}: must be true or false (or 1 or 0)`);
  }
  let profile;
  try {
    profile = loadClientConfigProfile({
      overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    });
  } catch (err) {
    throw new TemporalConfigError(
      `Temporal client configuration (envconfig profile / TEMPORAL_* variables): ${(err as Error).message}`,
    );
  }
  if (profile.address !== undefined && !ADDRESS.test(profile.address))
    throw new TemporalConfigError(
      'TEMPORAL_ADDRESS (or the profile address): must be host:port such as temporal.example.com:7233 (value hidden)',
    );
  const { connectionOptions, namespace } = toClientOptions(profile);
  // envconfig turns TLS on for an API key unless TLS is disabled explicitly; a key over plaintext is refused unless
  // that is asked for too (a local proxy that terminates TLS, say).
  const allowPlain =
    env.TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS === 'true' || env.TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS === '1';
  if (connectionOptions.apiKey !== undefined && connectionOptions.tls === false && !allowPlain)
    throw new TemporalConfigError(
      'TEMPORAL_API_KEY: set while TLS is off (TEMPORAL_TLS or the profile disables it); the key would go out in ' +
        'plaintext. Turn TLS on, or set TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS=true deliberately',
    );
  return {
    configured: profile.address !== undefined,
    address: profile.address,
    namespace: namespace ?? 'default',
    connectionOptions,
  };
}
