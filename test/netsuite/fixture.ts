import { NetSuiteClient, type NetSuiteClientOptions } from '../../src/netsuite/client';
import {
  startNetSuiteEmulator,
  type NetSuiteEmulatorOptions,
  type RunningNetSuiteEmulator,
} from '../../emulators/netsuite';

/** Starts an in-process emulator on port 0 for one test file and stops it afterwards. */
export function useNetSuiteEmulator(options: NetSuiteEmulatorOptions = {}): () => RunningNetSuiteEmulator {
  let emulator: RunningNetSuiteEmulator | undefined;
  beforeAll(async () => {
    emulator = await startNetSuiteEmulator({ port: 0, ...options });
  });
  afterAll(async () => {
    await emulator?.stop();
  });
  return () => {
    if (!emulator) throw new Error('emulator not started');
    return emulator;
  };
}

/** A client for the emulator; tiny backoff so retry tests run quickly (no timing is asserted). */
export function clientFor(
  emulator: RunningNetSuiteEmulator,
  options: Partial<NetSuiteClientOptions> = {},
): NetSuiteClient {
  return new NetSuiteClient({ ...emulator.credentials, backoff: { baseMs: 1, maxMs: 5 }, ...options });
}
