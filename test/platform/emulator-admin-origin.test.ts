// The emulators' admin APIs have no authentication (one answers with the client secret): a web page open in a
// browser on the same machine must not drive them (issue 16, point 7). Cross-origin browser requests are refused;
// curl, scripts and the tests (no Origin, no Sec-Fetch-Site) are not.
import { startNetSuiteEmulator, type RunningNetSuiteEmulator } from '../../emulators/netsuite/server';
import { startZuoraEmulator, type RunningZuoraEmulator } from '../../emulators/zuora/server';

let zuora: RunningZuoraEmulator;
let netsuite: RunningNetSuiteEmulator;
beforeAll(async () => {
  zuora = await startZuoraEmulator({});
  netsuite = await startNetSuiteEmulator({});
});
afterAll(async () => {
  await zuora?.stop();
  await netsuite?.stop();
});

const emulators = () => [
  ['Zuora', zuora.url],
  ['NetSuite', netsuite.url],
];

test.each([
  ['a foreign Origin', { Origin: 'https://evil.example' }],
  ['another port on the same host', { Origin: 'http://127.0.0.1:1' }],
  ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
  ['Sec-Fetch-Site: same-site (another port of localhost)', { 'Sec-Fetch-Site': 'same-site' }],
])('%s is refused (403) on every admin route, and nothing changes', async (_what, headers: Record<string, string>) => {
  for (const [name, url] of emulators()) {
    const state = await (await fetch(`${url}/__admin/config`)).text();
    for (const [method, path] of [
      ['GET', 'config'],
      ['POST', 'config'],
      ['POST', 'reset'],
      ['GET', 'state'],
    ]) {
      const r = await fetch(`${url}/__admin/${path}`, {
        method,
        headers: { 'Content-Type': 'text/plain', ...headers },
        body: method === 'POST' ? JSON.stringify({ latencyMs: 999 }) : undefined,
      });
      expect({ name, path, status: r.status }).toEqual({ name, path, status: 403 });
      expect(await r.text()).not.toMatch(/clientSecret|consumerSecret/);
    }
    expect(await (await fetch(`${url}/__admin/config`)).text()).toBe(state);
  }
});

test('the emulator’s own origin, curl-like requests and the API itself are still served', async () => {
  for (const [name, url] of emulators()) {
    const own = await fetch(`${url}/__admin/config`, { headers: { Origin: url!, 'Sec-Fetch-Site': 'same-origin' } });
    expect({ name, status: own.status }).toEqual({ name, status: 200 });
    expect((await fetch(`${url}/__admin/config`)).status).toBe(200);
  }
});
