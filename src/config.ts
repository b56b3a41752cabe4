// One place that reads the process environment. Everything is validated with zod at start: a missing or malformed
// setting stops the process with a message naming the variable. Secrets are wrapped in `Secret`, which never
// prints its value (logs, JSON, util.inspect), and never go into workflow inputs.
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { z } from 'zod';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The only way to read the value: call sites that need it are easy to find. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const port = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a whole number (a TCP port)')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be a port between 0 and 65535');
export const positiveInt = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n > 0, 'must be greater than 0');
export const httpUrl = z
  .string()
  .url('must be a URL such as https://rest.zuora.com')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
  .transform((u) => u.replace(/\/+$/, ''));
export const nonEmpty = z.string().trim().min(1, 'must not be empty');
/** Key ids name the key that encrypted a payload (stored in clear beside it): never a secret themselves. */
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const keyIdText = 'must be 1-64 letters, digits, ".", "_" or "-"';
/**
 * `keyId:base64key,keyId2:base64key` (commas or whitespace between entries): AES-256 keys, 32 bytes each. Issues
 * name the entry by its position and never echo any part of the variable: an entry written key-first
 * (`base64key:keyId`, or a bare key) would otherwise print the key where the id was expected.
 */
const codecKeys = z.string().transform((text, ctx) => {
  const keys = new Map<string, Secret>();
  const entries = text.split(/[\s,]+/).filter((e) => e.length > 0);
  if (entries.length === 0) ctx.issues.push({ code: 'custom', message: 'no keys given', input: '' });
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const b64 = colon < 0 ? '' : entry.slice(colon + 1);
    const n = `entry ${i + 1}`;
    const problem =
      colon < 0
        ? `${n} is not "keyId:base64key"`
        : !KEY_ID.test(id)
          ? `${n}: the key id (before the colon) ${keyIdText}; is the entry written key-first?`
          : looksLikeKey(id)
            ? `${n}: the key id (before the colon) looks like a key; write "keyId:base64key"`
            : keys.has(id)
              ? `${n}: its key id appears twice`
              : keyProblem(n, b64);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: '' });
    else keys.set(id, new Secret(b64));
  });
  return keys;
});
/** A 32-byte key in base64 (padded or not) where an id belongs: the entry is written key-first. */
const looksLikeKey = (id: string) => /^[A-Za-z0-9+/]{42,44}={0,2}$/.test(id) && Buffer.from(id, 'base64').length === 32;
function keyProblem(entry: string, b64: string): string | undefined {
  const bytes = Buffer.from(b64, 'base64');
  // Buffer.from ignores junk: a key is valid only if it is exactly its own base64.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.toString('base64') !== b64)
    return `${entry}: the key (after the colon) is not base64 (make one with: openssl rand -base64 32)`;
  if (bytes.length !== 32)
    return `${entry}: the key is ${bytes.length} bytes; AES-256 needs 32 (openssl rand -base64 32)`;
  return undefined;
}
const origins = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^https?:\/\/[^/\s]+$/, 'each origin must be scheme://host[:port] such as http://localhost:8233'),
    ),
  );
/** Which systems this process emulates: `true` (both), `false` (none), or a list such as `zuora,netsuite`. */
export type EmulatedSystems = { zuora: boolean; netsuite: boolean };
const emulatorsSetting = z
  .string()
  .regex(
    /^(true|false|(zuora|netsuite)(,(zuora|netsuite))?)$/,
    'must be true, false, zuora, netsuite or zuora,netsuite',
  )
  .transform((v): EmulatedSystems =>
    v === 'true' || v === 'false'
      ? { zuora: v === 'true', netsuite: v === 'true' }
      : { zuora: v.split(',').includes('zuora'), netsuite: v.split(',').includes('netsuite') },
  );

/**
 * A URL as it may be printed: scheme://host only (the path of a Slack webhook is its secret; credentials in a URL
 * are secrets), with `user:***@` kept as a hint when the URL carries credentials.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const who = u.username || u.password ? `${u.username || '***'}:***@` : '';
    return `${u.protocol}//${who}${u.host}`;
  } catch {
    return '(not a URL)';
  }
}

/** A tenant's id (workflow ids are is-upgrade-<tenant>; the tenant registry's ids too). */
export const tenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be 1-63 letters, digits, "-" or "_"');
// Zuora's OAuth client ids are 36 characters, UUID-shaped (docs/zuora.md §8).
export const zuoraClientId = z.string().length(36, 'must be the 36-character OAuth client id Zuora shows');
/** Concurrency limits when none is given: Zuora's default tenant limit and NetSuite's default account limit. */
export const DEFAULT_CONCURRENCY_LIMIT = { zuora: 40, netsuite: 5 } as const;

/** Raw environment, as strings. Each field names the env var it comes from. */
const envSchema = z.object({
  TASK_QUEUE: nonEmpty.default('invoice-settlement'),
  // The Zuora tenant this worker serves (workflow ids are is-upgrade-<TENANT_ID>). Required with a real Zuora.
  TENANT_ID: tenantIdSchema.optional(),
  // Many tenants in one worker (src/tenants/): a JSON file and/or a folder of per-tenant secret files. Instead of
  // TENANT_ID, ZUORA_* and NETSUITE_*, which describe a registry of one.
  TENANT_REGISTRY: nonEmpty.optional(),
  TENANT_REGISTRY_DIR: nonEmpty.optional(),
  METRICS_PORT: port.optional(),
  // How long a workflow task waits for this worker on its sticky queue (unset: Temporal's default, 10 s). The tests
  // that SIGKILL a worker set it short (test/helpers/worker-process.ts); production has no reason to.
  WORKER_STICKY_QUEUE_TIMEOUT_MS: positiveInt.optional(),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  DATA_DIR: nonEmpty.default('.data'),
  // Embedded dev server (npm start without TEMPORAL_ADDRESS)
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  // Zuora. When ZUORA_BASE_URL is unset, npm start runs the Zuora emulator and uses its demo credentials.
  ZUORA_BASE_URL: httpUrl.optional(),
  ZUORA_CLIENT_ID: zuoraClientId.optional(),
  ZUORA_CLIENT_SECRET: nonEmpty.optional(),
  ZUORA_ENTITY_ID: nonEmpty.optional(),
  ZUORA_CONCURRENCY_LIMIT: positiveInt.default(DEFAULT_CONCURRENCY_LIMIT.zuora),
  ZUORA_EMULATOR_PORT: port.default(4010),
  // NetSuite TBA. When NETSUITE_REST_BASE_URL is unset, npm start runs the NetSuite emulator.
  NETSUITE_ACCOUNT_ID: nonEmpty.optional(),
  NETSUITE_REST_BASE_URL: httpUrl.optional(),
  NETSUITE_CONSUMER_KEY: nonEmpty.optional(),
  NETSUITE_CONSUMER_SECRET: nonEmpty.optional(),
  NETSUITE_TOKEN_ID: nonEmpty.optional(),
  NETSUITE_TOKEN_SECRET: nonEmpty.optional(),
  NETSUITE_CONCURRENCY_LIMIT: positiveInt.default(DEFAULT_CONCURRENCY_LIMIT.netsuite),
  NETSUITE_EMULATOR_PORT: port.default(4020),
  // The tenant budget across worker processes (docs/tenant-budget.md): `off` only to measure without it (bench:fleet).
  TENANT_LEASES: z.enum(['on', 'off'], { message: 'must be "on" or "off"' }).default('on'),
  // Notifications: a Slack-compatible incoming webhook; without it, notifications go to the log.
  NOTIFY_WEBHOOK_URL: httpUrl.optional(),
  // Which systems run as the demo emulators in this process (never in production): unset means both when nothing real
  // is configured (the demo of `npm start`) and none otherwise.
  EMULATORS: emulatorsSetting.optional(),
  // Payload encryption (off unless keys are given): AES-256-GCM keys "keyId:base64key,...". New payloads use the
  // current key; every listed key still decrypts, so keep old keys after a rotation while histories use them.
  PAYLOAD_CODEC_KEYS: codecKeys.optional(),
  PAYLOAD_CODEC_CURRENT_KEY_ID: z.string().regex(KEY_ID, keyIdText).optional(),
  // The codec server (Web UI / CLI decode): listens when a port is given; needs the keys and a bearer token.
  CODEC_SERVER_PORT: port.optional(),
  CODEC_SERVER_HOST: nonEmpty.default('127.0.0.1'),
  CODEC_SERVER_TOKEN: z.string().trim().min(24, 'must be at least 24 characters (openssl rand -hex 24)').optional(),
  // Browser origins allowed to call it (the Web UI's); default: the embedded dev server's UI.
  CODEC_SERVER_CORS_ORIGINS: origins.optional(),
  // The https URL browsers reach it at through a TLS-terminating proxy: its session cookie is then Secure.
  CODEC_SERVER_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s@]+\/?$/, 'must be scheme://host[:port] such as https://codec.example.com')
    .optional(),
  // Worker Deployment Versioning (README "Deploying a new version"): both or neither; off when unset (npm start's demo).
  TEMPORAL_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'must be 1-128 letters, digits, "-" or "_" (no ".")')
    .optional(),
  TEMPORAL_BUILD_ID: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/, 'must be 1-128 letters, digits, ".", "_", "+" or "-"')
    .optional(),
});

/** Printed as scheme://host only (see redactUrl). */
const URL_VARS = ['ZUORA_BASE_URL', 'NETSUITE_REST_BASE_URL', 'NOTIFY_WEBHOOK_URL'] as const;
const SECRET_VARS = [
  'ZUORA_CLIENT_SECRET',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_SECRET',
  'PAYLOAD_CODEC_KEYS',
  'CODEC_SERVER_TOKEN',
] as const;
const FILE_VARS = [
  'ZUORA_CLIENT_ID',
  'ZUORA_CLIENT_SECRET',
  'NETSUITE_CONSUMER_KEY',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_ID',
  'NETSUITE_TOKEN_SECRET',
  'PAYLOAD_CODEC_KEYS',
  'CODEC_SERVER_TOKEN',
] as const;

export type ZuoraConfig = {
  baseUrl: string;
  clientId: string;
  clientSecret: Secret;
  entityId?: string;
  concurrencyLimit: number;
};
export type NetSuiteConfig = {
  accountId: string;
  restBaseUrl: string;
  consumerKey: string;
  consumerSecret: Secret;
  tokenId: string;
  tokenSecret: Secret;
  concurrencyLimit: number;
};

/** Payload encryption keys: id → base64 AES-256 key (32 bytes). */
export type PayloadCodecConfig = { keys: ReadonlyMap<string, Secret>; currentKeyId: string };
export type CodecServerConfig = {
  port: number;
  host: string;
  token: Secret;
  corsOrigins: string[];
  publicUrl?: string;
};

/** Where the tenant registry is read from (src/tenants/load.ts); at least one of the two. */
export type TenantRegistrySource = { file?: string; dir?: string };

export type AppConfig = {
  taskQueue: string;
  /** The single-tenant environment's tenant (TENANT_ID, default demo); unused when `tenantRegistry` is set. */
  tenantId: string;
  /** TENANT_REGISTRY / TENANT_REGISTRY_DIR: every tenant this worker serves; undefined: the registry of one above. */
  tenantRegistry?: TenantRegistrySource;
  metricsPort?: number;
  /** undefined: the SDK's default (10 s) */
  stickyQueueTimeoutMs?: number;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  logFormat: 'json' | 'pretty';
  dataDir: string;
  devServer: { port: number; uiPort: number };
  /** Which systems this process runs as demo emulators: each is either emulated or configured, never neither. */
  emulators: EmulatedSystems;
  /** undefined exactly when emulators.zuora */
  zuora?: ZuoraConfig;
  /** undefined exactly when emulators.netsuite */
  netsuite?: NetSuiteConfig;
  zuoraConcurrencyLimit: number;
  netsuiteConcurrencyLimit: number;
  /** Activities lease the tenant's slots from its budget workflow (TENANT_LEASES, default on). */
  tenantLeases: boolean;
  emulatorPorts: { zuora: number; netsuite: number };
  notifyWebhookUrl?: string;
  /** undefined: payloads are stored as plain JSON (the default) */
  payloadCodec?: PayloadCodecConfig;
  /** undefined: no codec server */
  codecServer?: CodecServerConfig;
  /** undefined: an unversioned worker (TEMPORAL_DEPLOYMENT_NAME / TEMPORAL_BUILD_ID unset) */
  workerDeployment?: WorkerDeploymentConfig;
};

/** This worker's Worker Deployment Version: the deployment (the fleet) and the build id (this code). */
export type WorkerDeploymentConfig = { deploymentName: string; buildId: string };

/**
 * `X_FILE=/path` is read into `X` (Docker/Kubernetes secrets). Setting both is ambiguous and refused.
 */
function resolveFileVars(env: NodeJS.ProcessEnv, problems: string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) out[k] = v === '' ? undefined : v;
  for (const name of FILE_VARS) {
    const file = out[`${name}_FILE`];
    if (!file) continue;
    if (out[name] !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set: set only one`);
      continue;
    }
    const read = readSecretFile(file);
    if ('problem' in read) problems.push(`${name}_FILE: ${read.problem}`);
    else out[name] = read.value;
  }
  return out;
}

/** A secret mounted as a file (Docker/Kubernetes): its trimmed text, or why it cannot be read (never its text). */
export function readSecretFile(file: string): { value: string } | { problem: string } {
  try {
    return { value: readFileSync(file, 'utf8').trim() };
  } catch (err) {
    return { problem: `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
}

function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, string | undefined>): string {
  const name = issue.path.join('.');
  const value = raw[name];
  const shown =
    value === undefined
      ? ''
      : (SECRET_VARS as readonly string[]).includes(name)
        ? ' (value hidden)'
        : (URL_VARS as readonly string[]).includes(name)
          ? ` (got ${redactUrl(value)})`
          : ` (got ${JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value)})`;
  return `${name}: ${issue.message}${shown}`;
}

/** Settings that must come together: all or none. */
function group<K extends string>(
  env: Partial<Record<K, string>>,
  keys: readonly K[],
  what: string,
  problems: string[],
): boolean {
  const set = keys.filter((k) => env[k] !== undefined);
  if (set.length === 0) return false;
  const missing = keys.filter((k) => env[k] === undefined);
  if (missing.length > 0) {
    problems.push(`${missing.join(', ')}: missing (needed for ${what} because ${set.join(', ')} is set)`);
    return false;
  }
  return true;
}

/** Settings that mean "a real Temporal" to @temporalio/envconfig (main.ts also passes what envconfig resolved). */
const TEMPORAL_TARGET_VARS = ['TEMPORAL_ADDRESS', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE', 'TEMPORAL_API_KEY'];

/**
 * `temporalConfigured`: whether a real Temporal is configured (an address from env or an envconfig profile); by
 * default, whether one of TEMPORAL_ADDRESS, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE or TEMPORAL_API_KEY is set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, o: { temporalConfigured?: boolean } = {}): AppConfig {
  const problems: string[] = [];
  const raw = resolveFileVars(env, problems);
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((i) => describeIssue(i, raw)));
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const zuoraKeys = ['ZUORA_BASE_URL', 'ZUORA_CLIENT_ID', 'ZUORA_CLIENT_SECRET'] as const;
  const netsuiteKeys = [
    'NETSUITE_ACCOUNT_ID',
    'NETSUITE_REST_BASE_URL',
    'NETSUITE_CONSUMER_KEY',
    'NETSUITE_CONSUMER_SECRET',
    'NETSUITE_TOKEN_ID',
    'NETSUITE_TOKEN_SECRET',
  ] as const;
  const tenantRegistry = registrySource(e, raw, problems);
  // With a registry these are refused outright (registrySource): no hints about completing them.
  const hasZuora = !tenantRegistry && group(e, zuoraKeys, 'Zuora', problems);
  const hasNetSuite = !tenantRegistry && group(e, netsuiteKeys, 'NetSuite', problems);
  const emulators = tenantRegistry
    ? registryEmulators(e, problems)
    : emulatedSystems(e, raw, o.temporalConfigured, problems);
  if (hasZuora && !e.TENANT_ID)
    problems.push('TENANT_ID: missing (required when ZUORA_BASE_URL points at a real tenant)');
  const payloadCodec = codecSettings(e, problems);
  const versioned = group(
    e,
    ['TEMPORAL_DEPLOYMENT_NAME', 'TEMPORAL_BUILD_ID'],
    'Worker Deployment Versioning',
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    taskQueue: e.TASK_QUEUE,
    tenantId: e.TENANT_ID ?? 'demo',
    tenantRegistry,
    metricsPort: e.METRICS_PORT,
    stickyQueueTimeoutMs: e.WORKER_STICKY_QUEUE_TIMEOUT_MS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    dataDir: e.DATA_DIR,
    devServer: { port: e.TEMPORAL_DEV_PORT, uiPort: e.TEMPORAL_UI_PORT },
    emulators,
    zuora: hasZuora
      ? {
          baseUrl: e.ZUORA_BASE_URL!,
          clientId: e.ZUORA_CLIENT_ID!,
          clientSecret: new Secret(e.ZUORA_CLIENT_SECRET!),
          entityId: e.ZUORA_ENTITY_ID,
          concurrencyLimit: e.ZUORA_CONCURRENCY_LIMIT,
        }
      : undefined,
    netsuite: hasNetSuite
      ? {
          accountId: e.NETSUITE_ACCOUNT_ID!,
          restBaseUrl: e.NETSUITE_REST_BASE_URL!,
          consumerKey: e.NETSUITE_CONSUMER_KEY!,
          consumerSecret: new Secret(e.NETSUITE_CONSUMER_SECRET!),
          tokenId: e.NETSUITE_TOKEN_ID!,
          tokenSecret: new Secret(e.NETSUITE_TOKEN_SECRET!),
          concurrencyLimit: e.NETSUITE_CONCURRENCY_LIMIT,
        }
      : undefined,
    zuoraConcurrencyLimit: e.ZUORA_CONCURRENCY_LIMIT,
    netsuiteConcurrencyLimit: e.NETSUITE_CONCURRENCY_LIMIT,
    tenantLeases: e.TENANT_LEASES === 'on',
    emulatorPorts: { zuora: e.ZUORA_EMULATOR_PORT, netsuite: e.NETSUITE_EMULATOR_PORT },
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
    payloadCodec,
    codecServer:
      e.CODEC_SERVER_PORT !== undefined && payloadCodec && e.CODEC_SERVER_TOKEN
        ? {
            port: e.CODEC_SERVER_PORT,
            host: e.CODEC_SERVER_HOST,
            token: new Secret(e.CODEC_SERVER_TOKEN),
            publicUrl: e.CODEC_SERVER_PUBLIC_URL,
            corsOrigins: e.CODEC_SERVER_CORS_ORIGINS ?? [
              `http://localhost:${e.TEMPORAL_UI_PORT}`,
              `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`,
            ],
          }
        : undefined,
    workerDeployment: versioned
      ? { deploymentName: e.TEMPORAL_DEPLOYMENT_NAME!, buildId: e.TEMPORAL_BUILD_ID! }
      : undefined,
  };
}

/**
 * TENANT_REGISTRY and/or TENANT_REGISTRY_DIR replace the single-tenant settings: with a registry, TENANT_ID, ZUORA_*
 * and NETSUITE_* (their limits too: each tenant's limits are in its entry) would be a second source of one fact.
 */
function registrySource(
  e: z.output<typeof envSchema>,
  raw: Record<string, string | undefined>,
  problems: string[],
): TenantRegistrySource | undefined {
  if (e.TENANT_REGISTRY === undefined && e.TENANT_REGISTRY_DIR === undefined) return undefined;
  const singleTenant = Object.keys(raw)
    .filter((k) => k === 'TENANT_ID' || /^(ZUORA|NETSUITE)_/.test(k))
    .filter((k) => raw[k] !== undefined && !/_EMULATOR_PORT$/.test(k))
    .sort();
  if (singleTenant.length > 0)
    problems.push(
      `${singleTenant.join(', ')}: set together with TENANT_REGISTRY${e.TENANT_REGISTRY_DIR !== undefined ? '_DIR' : ''} ` +
        "(a tenant's settings go in its registry entry; unset these)",
    );
  return { file: e.TENANT_REGISTRY, dir: e.TENANT_REGISTRY_DIR };
}

/** With a registry, every tenant's systems are real: emulators only if someone asks for them, and that is refused. */
function registryEmulators(e: z.output<typeof envSchema>, problems: string[]): EmulatedSystems {
  if (e.EMULATORS?.zuora || e.EMULATORS?.netsuite)
    problems.push('EMULATORS: set together with a tenant registry (registry entries name real systems; unset it)');
  return { zuora: false, netsuite: false };
}

/**
 * Emulators start only when asked for: EMULATORS names them, or nothing real is configured at all (the demo of
 * `npm start`). A system neither configured nor named is missing — a production worker must never wire one half of
 * a real configuration to a demo emulator (issue 16, point 2).
 */
function emulatedSystems(
  e: z.output<typeof envSchema>,
  raw: Record<string, string | undefined>,
  temporalConfigured: boolean | undefined,
  problems: string[],
): EmulatedSystems {
  const systems = [
    { name: 'zuora', label: 'Zuora', prefix: 'ZUORA_', needs: 'ZUORA_BASE_URL, ZUORA_CLIENT_ID, ZUORA_CLIENT_SECRET' },
    {
      name: 'netsuite',
      label: 'NetSuite',
      prefix: 'NETSUITE_',
      needs:
        'NETSUITE_ACCOUNT_ID, NETSUITE_REST_BASE_URL, NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET, NETSUITE_TOKEN_ID, NETSUITE_TOKEN_SECRET',
    },
  ] as const;
  // The emulators' own ports are not a real configuration.
  const configured = (s: (typeof systems)[number]) =>
    Object.keys(raw).some(
      (k) => k.startsWith(s.prefix) && !/_(EMULATOR_PORT|CONCURRENCY_LIMIT)$/.test(k) && raw[k] !== undefined,
    );
  const temporal = temporalConfigured ?? TEMPORAL_TARGET_VARS.some((k) => raw[k] !== undefined);
  const realSettings = [
    ...systems.filter(configured).map((s) => `${s.prefix}*`),
    ...(temporal ? ['a Temporal address (TEMPORAL_ADDRESS or a profile)'] : []),
  ];
  if (e.EMULATORS === undefined && realSettings.length === 0) return { zuora: true, netsuite: true };
  const asked: EmulatedSystems = e.EMULATORS ?? { zuora: false, netsuite: false };
  const because =
    realSettings.length > 0
      ? `a real configuration needs it because ${realSettings.join(', ')} ${realSettings.length > 1 ? 'are' : 'is'} set`
      : 'EMULATORS leaves it out';
  for (const s of systems) {
    if (asked[s.name] && configured(s))
      problems.push(
        `EMULATORS: names ${s.name} but ${s.prefix}* settings are set too (choose the emulator or the real ${s.label})`,
      );
    if (!asked[s.name] && !configured(s))
      problems.push(
        `${s.needs}: missing (the real ${s.label}: ${because}; for its demo emulator instead, set EMULATORS=${s.name} deliberately)`,
      );
  }
  return asked;
}

/** Which key encrypts, and that the codec server has what it needs. */
function codecSettings(e: z.output<typeof envSchema>, problems: string[]): PayloadCodecConfig | undefined {
  const keys = e.PAYLOAD_CODEC_KEYS;
  if (e.CODEC_SERVER_PORT !== undefined) {
    if (!keys)
      problems.push('PAYLOAD_CODEC_KEYS: missing (the codec server needs it because CODEC_SERVER_PORT is set)');
    if (!e.CODEC_SERVER_TOKEN)
      problems.push('CODEC_SERVER_TOKEN: missing (who may read payloads: needed because CODEC_SERVER_PORT is set)');
  }
  if (!keys) {
    if (e.PAYLOAD_CODEC_CURRENT_KEY_ID !== undefined)
      problems.push('PAYLOAD_CODEC_CURRENT_KEY_ID: set without PAYLOAD_CODEC_KEYS (set both, or neither)');
    return undefined;
  }
  const ids = [...keys.keys()];
  const current = e.PAYLOAD_CODEC_CURRENT_KEY_ID ?? (ids.length === 1 ? ids[0] : undefined);
  if (current === undefined) {
    problems.push(
      `PAYLOAD_CODEC_CURRENT_KEY_ID: missing (PAYLOAD_CODEC_KEYS has ${ids.length} keys; which one encrypts new payloads?)`,
    );
    return undefined;
  }
  if (!keys.has(current)) {
    problems.push(`PAYLOAD_CODEC_CURRENT_KEY_ID: "${current}" is not a key id in PAYLOAD_CODEC_KEYS`);
    return undefined;
  }
  return { keys, currentKeyId: current };
}

/** The names of every env var the config module reads (docker-compose.yml is checked against it). */
export const CONFIG_ENV_VARS: readonly string[] = [
  ...Object.keys(envSchema.shape),
  ...FILE_VARS.map((v) => `${v}_FILE`),
  // Read by @temporalio/envconfig
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
  // Read by src/temporal/connection.ts: send TEMPORAL_API_KEY without TLS (refused otherwise)
  'TEMPORAL_ALLOW_API_KEY_WITHOUT_TLS',
];
