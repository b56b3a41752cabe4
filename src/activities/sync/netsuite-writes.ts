// NetSuite write-backs of the syncs: at the account's concurrency limit (governanceLimits), a record NetSuite refuses
// failing alone, and Integration Status `Error` with the message on a failed record.
import { log } from '@temporalio/activity';
import type { RequestGate } from '../../http/request-gate';
import type { NetSuiteClient, NetSuiteRecordType, PatchFields } from '../../netsuite/client';
import { NetSuiteApiError } from '../../netsuite/errors';
import { IntegrationStatus } from '../../netsuite/fields';
import { throwIfAborted, type ConnectorFields } from './page';

/** NetSuite's base concurrency of a standard account, when governanceLimits cannot be read. */
const DEFAULT_NETSUITE_CONCURRENCY = 5;

/** The write concurrency NetSuite grants this integration (account-wide limit, shared with everything else). */
export function netsuiteWriteConcurrencyOf(
  netsuite: Pick<NetSuiteClient, 'getGovernanceLimits'>,
): () => Promise<number> {
  let writeConcurrency: Promise<number> | undefined;
  return () =>
    (writeConcurrency ??= netsuite
      .getGovernanceLimits()
      .then((g) =>
        g.integrationLimitType === 'integrationSpecific' && g.integrationConcurrencyLimit
          ? g.integrationConcurrencyLimit
          : g.accountConcurrencyLimit,
      )
      .then((n) => (n >= 1 ? n : DEFAULT_NETSUITE_CONCURRENCY))
      .catch((err: unknown) => {
        writeConcurrency = undefined;
        log.warn('NetSuite governanceLimits not readable; using the standard account limit', {
          error: (err as Error).message,
        });
        return DEFAULT_NETSUITE_CONCURRENCY;
      }));
}

/** `ok: false` = NetSuite refused this record's write for good (4xx); transient failures throw. */
export type NetSuiteWriter = (
  type: NetSuiteRecordType,
  id: string,
  fields: PatchFields,
) => Promise<{ ok: true } | { ok: false; message: string; status: number }>;

export function netSuiteWriter(
  netsuite: Pick<NetSuiteClient, 'patchRecord'>,
  gate: RequestGate,
  signal: AbortSignal,
): NetSuiteWriter {
  return async (type, id, patch) => {
    throwIfAborted(signal);
    try {
      await gate.run(() => netsuite.patchRecord(type, id, patch));
      return { ok: true };
    } catch (err) {
      // A record NetSuite refuses (400 invalid content, 404 deleted, …) fails alone; authentication, throttling and
      // server errors are the account's problem: the chunk fails and Temporal retries it.
      if (err instanceof NetSuiteApiError && !err.retryable && isRecordRefusal(err.httpStatus)) {
        return { ok: false, message: err.message, status: err.httpStatus };
      }
      throw err;
    }
  };
}

const isRecordRefusal = (status: number) =>
  status >= 400 && status < 500 && status !== 401 && status !== 403 && status !== 429;

/**
 * Integration Status `Error` with the message. If the account lacks the message field (a 400 naming it), the status
 * is written alone: the message is in the run's failure report either way.
 */
export async function writeError(
  write: NetSuiteWriter,
  type: NetSuiteRecordType,
  id: string,
  message: string,
  f: ConnectorFields,
): Promise<void> {
  const text = message.length <= 300 ? message : `${message.slice(0, 299)}…`;
  const withMessage = await write(type, id, { [f.integrationStatus]: IntegrationStatus.error, [f.syncError]: text });
  if (!withMessage.ok && withMessage.status === 400) {
    const plain = await write(type, id, { [f.integrationStatus]: IntegrationStatus.error });
    if (!plain.ok) log.warn('could not mark NetSuite record Error', { type, id, error: plain.message });
  } else if (!withMessage.ok) {
    log.warn('could not mark NetSuite record Error', { type, id, error: withMessage.message });
  }
}
