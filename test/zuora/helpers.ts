import { RequestGate } from '../../src/http/request-gate';
import { startZuoraEmulator, type RunningZuoraEmulator, type ZuoraEmulatorOptions } from '../../emulators/zuora';
import { ZuoraClient, type ZuoraClientOptions } from '../../src/zuora';

/** Zuora's OAuth client ids are UUID-shaped, 36 characters; secrets at most 42 (docs/zuora.md §8). */
export const CLIENT_ID = '5b3f0a7e-2c1d-4e8f-9a6b-0c7d1e2f3a4b';
export const CLIENT_SECRET = 'test-secret-0123456789';

export async function startEmulator(options: ZuoraEmulatorOptions = {}): Promise<RunningZuoraEmulator> {
  return startZuoraEmulator({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, dataQueryDelayMs: 20, ...options });
}

/** A client with tiny backoffs so retry paths run quickly. */
export function clientFor(emulator: { url: string }, options: Partial<ZuoraClientOptions> = {}): ZuoraClient {
  return new ZuoraClient({
    baseUrl: emulator.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    gate: new RequestGate({ maxInFlight: 8 }),
    backoff: { baseMs: 1, maxMs: 10 },
    ...options,
  });
}

/** Waits for a condition by polling it (never a fixed sleep); fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Awaits a promise expected to reject and returns the error (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

export async function rawToken(emulator: { url: string }): Promise<string> {
  const tokenResponse = await fetch(`${emulator.url}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'client_credentials' }),
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  return access_token;
}

/** A raw authenticated call, to check what the emulator answers without the client's interpretation. */
export async function rawCall(
  emulator: { url: string },
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string>; token?: string } = {},
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const token = init.token ?? (await rawToken(emulator));
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as unknown) : undefined };
}
