// What every command shares: where Temporal is (flags over envconfig over localhost), a client connected on first
// use, and the `temporal` CLI flags that reach the same server (for --print-temporal-cli).
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../../config';
import { dataConverterFromConfig } from '../../codec/data-converter';
import { resolveTemporalTarget } from '../../temporal/connection';
import { CliError, EXIT } from './exit-codes';

export type GlobalOptions = {
  address?: string;
  namespace?: string;
  connectTimeout: number;
  verbose: boolean;
};

/** The CLI's default when nothing is configured: the dev server `npm start` runs. */
export const DEFAULT_ADDRESS = 'localhost:7233';

export class CliContext {
  readonly address: string;
  readonly namespace: string;
  /** Whether the address came from a flag or the environment (then printed commands must carry it too). */
  readonly addressConfigured: boolean;
  private readonly connectionOptions: ReturnType<typeof resolveTemporalTarget>['connectionOptions'];
  private client?: Client;
  private connection?: Connection;

  constructor(
    readonly options: GlobalOptions,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    let target;
    try {
      target = resolveTemporalTarget(env);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage);
    }
    this.address = options.address ?? target.address ?? DEFAULT_ADDRESS;
    this.addressConfigured = options.address !== undefined || target.configured;
    this.namespace = options.namespace ?? target.namespace;
    this.connectionOptions = target.connectionOptions;
  }

  async temporal(): Promise<Client> {
    if (this.client) return this.client;
    try {
      this.connection = await Connection.connect({
        ...(this.connectionOptions as object),
        address: this.address,
        connectTimeout: this.options.connectTimeout * 1000,
      });
      // Connect is lazy about the server; one cheap call proves it answers (and the namespace exists).
      await this.connection.workflowService.describeNamespace({ namespace: this.namespace });
    } catch (err) {
      await this.close();
      const message = (err as Error).message ?? String(err);
      if (/namespace.*not found|NOT_FOUND/i.test(message)) {
        throw new CliError(
          `Namespace "${this.namespace}" does not exist on the Temporal server at ${this.address} ` +
            '(set --namespace or TEMPORAL_NAMESPACE).',
          EXIT.notFound,
          { cause: err },
        );
      }
      throw new CliError(
        `Cannot reach a Temporal server at ${this.address} (namespace ${this.namespace}): ${firstLine(message)}. ` +
          'Is it running (`npm start`)? Point the CLI elsewhere with --address or TEMPORAL_ADDRESS.',
        EXIT.unreachable,
        { cause: err },
      );
    }
    this.client = new Client({
      connection: this.connection,
      namespace: this.namespace,
      dataConverter: payloadDataConverter(this.env),
    });
    return this.client;
  }

  /** `--address … --namespace …` for a printed `temporal` command, only when they differ from its defaults. */
  temporalCliFlags(): string[] {
    const flags: string[] = [];
    if (this.addressConfigured) flags.push('--address', this.address);
    if (this.namespace !== 'default') flags.push('--namespace', this.namespace);
    return flags;
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    this.client = undefined;
    await c?.close().catch(() => undefined);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/**
 * With payload encryption on (PAYLOAD_CODEC_KEYS), the CLI must encrypt what it sends and decrypt what it reads,
 * exactly as the worker does. Only the codec settings are read: an operator's shell need not hold the worker's.
 */
function payloadDataConverter(env: NodeJS.ProcessEnv) {
  const pick = ['PAYLOAD_CODEC_KEYS', 'PAYLOAD_CODEC_KEYS_FILE', 'PAYLOAD_CODEC_CURRENT_KEY_ID'] as const;
  try {
    return dataConverterFromConfig(loadConfig(Object.fromEntries(pick.map((k) => [k, env[k]]))));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}
