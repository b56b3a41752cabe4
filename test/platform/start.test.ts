// `npm start` as a user meets it: the built entry point with the embedded dev server, Web UI and emulators;
// SIGTERM stops all of it, sent to node or to npm alone; a configured TEMPORAL_ADDRESS is used instead of starting a
// server; bad settings exit. `npm run worker`: the worker alone, stopped the same way.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalBinaries, PROJECT_ROOT } from '../../src/temporal/binaries';
import { describeSyncSchedule } from '../../src/temporal/schedules';
import { startNetSuiteEmulator } from '../../emulators/netsuite/server';
import { startZuoraEmulator } from '../../emulators/zuora/server';
import { emulatorWorkerEnv } from '../../bench/harness';
import { descendants, isAlive, killLeftovers, npmScript, stopBySigterm } from '../helpers/npm-script';
import { freePort } from '../helpers/ports';
import { spawnProcess } from '../helpers/process';
import { uniqueTaskQueue } from '../helpers/temporal';
import { MISCONFIGURATION_CANARIES as CANARY } from '../secret-scan';

const main = join(PROJECT_ROOT, 'dist', 'src', 'main.js');

async function baseEnv() {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'is-start-')),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    ZUORA_EMULATOR_PORT: String(await freePort()),
    NETSUITE_EMULATOR_PORT: String(await freePort()),
    LOG_FORMAT: 'pretty',
  };
}

describe('npm start (dist/src/main.js)', () => {
  // One test, since every embedded start costs a dev server start: a crash (SIGKILL) and a second start, this one
  // through npm as a supervisor runs it, then a SIGTERM to npm alone (issue 15, point 4).
  test('embedded: server and Web UI up; after a SIGKILL a second start finds the upgrade in SQLite; SIGTERM to npm exits 0 within 10 s, nothing left', async () => {
    const env = { ...(await baseEnv()), METRICS_PORT: String(await freePort()) };
    const address = `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
    let p = spawnProcess(process.execPath, [main], env);
    let below: number[] = [];
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      const ui = await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`);
      expect(ui.status).toBe(200);
      const health = spawnSync(
        loadTemporalBinaries().cli.path!,
        ['operator', 'cluster', 'health', '--address', address],
        { encoding: 'utf8' },
      );
      expect(health.stdout).toMatch(/SERVING/);
      expect(p.output()).toContain(`http://localhost:${env.TEMPORAL_UI_PORT}`);
      expect(p.output()).toMatch(/temporal workflow start .*--type invoiceSettlementUpgrade/s);
      // Every printed command names the dev server on its non-default port (issue 14 point 7).
      const commands = p.output().match(/^ {2}(temporal workflow|npx is-upgrade status) .*$/gm) ?? [];
      expect(commands).toHaveLength(4);
      for (const c of commands) expect(c).toContain(`--address 127.0.0.1:${env.TEMPORAL_DEV_PORT} `);
      // The demo tenant has its pre-upgrade credit memo sync schedule (both syncs; paused until the upgrade's
      // step 1 runs it), so step 1 syncs the demo's memos (issue 14 point 6).
      const scheduleConnection = await Connection.connect({ address });
      const schedule = await describeSyncSchedule(
        new Client({ connection: scheduleConnection }),
        'credit-memo',
        'demo',
      );
      await scheduleConnection.close();
      expect(schedule?.state.paused).toBe(true);
      expect((schedule?.action as { args?: unknown[] }).args?.[0]).toEqual({
        tenantId: 'demo',
        standard: true,
        negativeBalance: true,
      });
      // Nothing real configured: the demo, and the banner says so for each system.
      expect(p.output()).toMatch(/Zuora: +emulator, /);
      expect(p.output()).toMatch(/NetSuite: +emulator, /);
      // Prometheus metrics from the SDK runtime on the configured port.
      const metrics = await (await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`)).text();
      expect(metrics).toMatch(/temporal_/);
      const connection = await Connection.connect({ address });
      const client = new Client({ connection });
      await client.workflow.start('invoiceSettlementUpgrade', {
        taskQueue: 'invoice-settlement',
        workflowId: 'is-upgrade-demo',
        args: [{ tenantId: 'demo', oldConnectorInstanceId: 'old-instance-1' }],
      });
      await connection.close();

      p.child.kill('SIGKILL');
      await p.exited;
      p = npmScript('start', env);
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      expect(p.output()).toMatch(/stopping the dev server \(pid \d+\) left running by an earlier start/);
      const again = await Connection.connect({ address });
      const d = await new Client({ connection: again }).workflow.getHandle('is-upgrade-demo').describe();
      expect(d.type).toBe('invoiceSettlementUpgrade');
      await again.close();

      const serverPids = spawnSync('pgrep', ['-f', '--', `--port ${env.TEMPORAL_DEV_PORT}`], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .map(Number);
      expect(serverPids.length).toBeGreaterThan(0);
      below = descendants(p.child.pid!); // node dist/src/main.js and the dev server it started
      expect(below).toEqual(expect.arrayContaining(serverPids));

      expect(await stopBySigterm(p)).toEqual({ code: 0, signal: null });
      expect([...below, ...serverPids].filter(isAlive)).toEqual([]);
    } finally {
      killLeftovers(p, below);
    }
  });

  test('with TEMPORAL_ADDRESS set it uses that server and starts none; emulators only as EMULATORS asks', async () => {
    const env = {
      ...(await baseEnv()),
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      EMULATORS: 'zuora,netsuite',
      // Never posted to (no workflow runs here): only the banner could print it, and it must not.
      NOTIFY_WEBHOOK_URL: `https://hooks.slack.com/services/${CANARY.webhookPath}`,
    };
    const p = spawnProcess(process.execPath, [main], env);
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      expect(p.output()).toContain(`Using the Temporal server at ${process.env.TEST_TEMPORAL_ADDRESS}`);
      expect(p.output()).not.toContain('Starting the Temporal dev server');
      expect(p.output()).toMatch(/Zuora: +emulator, /);
      expect(p.output()).toMatch(/Notify: +webhook at https:\/\/hooks\.slack\.com\n/);
      expect(p.output()).not.toContain(CANARY.webhookPath);
      const started = spawnSync('pgrep', ['-f', '--', `--port ${env.TEMPORAL_DEV_PORT}`], { encoding: 'utf8' });
      expect(started.stdout.trim()).toBe('');
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  test('a malformed setting stops it with a message naming the variable', async () => {
    const env = { ...(await baseEnv()), METRICS_PORT: 'not-a-port' };
    const p = spawnProcess(process.execPath, [main], env);
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.output()).toMatch(/METRICS_PORT: must be a whole number/);
    expect(p.output()).not.toContain('Starting the Temporal dev server');
  });

  // Issue 16, points 2 and 3: each of these once started (or crashed with exit 1) and echoed its secret. The
  // canaries are also in the end-of-run scan (test/secret-scan.ts), which searches every captured output.
  const realZuora = {
    TENANT_ID: 'acme',
    ZUORA_BASE_URL: 'https://rest.zuora.com',
    ZUORA_CLIENT_ID: '0f6b3a1e-7c2d-4e8f-9a1b-2c3d4e5f6a7b',
    ZUORA_CLIENT_SECRET: 'zuora-client-secret-for-start-test',
  };
  const misconfigurations: [string, Record<string, string>, RegExp][] = [
    [
      'a real Zuora and TEMPORAL_ADDRESS without NETSUITE_* (no NetSuite emulator is started)',
      { ...realZuora, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      /NETSUITE_ACCOUNT_ID, .*NETSUITE_TOKEN_SECRET: missing .*EMULATORS=netsuite/,
    ],
    [
      'a PAYLOAD_CODEC_KEYS entry written key-first',
      { PAYLOAD_CODEC_KEYS: `${CANARY.codecKey}:k1` },
      /PAYLOAD_CODEC_KEYS: entry 1: the key id \(before the colon\)/,
    ],
    [
      'a URL with credentials and a Slack webhook URL in malformed settings',
      {
        ...realZuora,
        EMULATORS: 'netsuite',
        ZUORA_BASE_URL: `ftp://admin:${CANARY.urlPassword}@rest.zuora.com/`,
        NOTIFY_WEBHOOK_URL: `hooks.slack.com/services/${CANARY.webhookPath}`,
      },
      /ZUORA_BASE_URL: must start with http:\/\/ or https:\/\/ \(got ftp:\/\/admin:\*\*\*@rest\.zuora\.com\)/,
    ],
    [
      'a malformed TEMPORAL_ADDRESS',
      { TEMPORAL_ADDRESS: `https://user:${CANARY.addressKey}@ns.tmprl.cloud:7233` },
      /TEMPORAL_ADDRESS \(or the profile address\): must be host:port/,
    ],
    [
      'TEMPORAL_TLS=ture with an API key',
      { TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: CANARY.apiKey, TEMPORAL_TLS: 'ture' },
      /TEMPORAL_TLS: must be true or false/,
    ],
    [
      'an API key with TLS off',
      { TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233', TEMPORAL_API_KEY: CANARY.apiKey, TEMPORAL_TLS: 'false' },
      /TEMPORAL_API_KEY: set while TLS is off/,
    ],
  ];
  test.each(misconfigurations)('%s: exit 2, naming the setting, echoing no secret', async (_what, bad, named) => {
    const env = { ...(await baseEnv()), ...bad };
    const p = spawnProcess(process.execPath, [main], env);
    const exit = await p.exited;
    expect({ code: exit.code, output: p.output() }).toEqual({ code: 2, output: expect.stringMatching(named) });
    expect(p.output()).not.toMatch(/emulator listening|Starting the Temporal dev server/);
    for (const secret of [...Object.values(CANARY), realZuora.ZUORA_CLIENT_SECRET])
      expect(p.output()).not.toContain(secret);
  });
});

describe('npm run worker: the production entry', () => {
  test('the worker alone on a configured Temporal and real systems; SIGTERM to npm exits 0 within 10 s, nothing left', async () => {
    const [zuora, netsuite] = await Promise.all([startZuoraEmulator({}), startNetSuiteEmulator({})]);
    // The emulators here stand for the real systems: to the worker they are URLs and credentials like any other.
    const env = emulatorWorkerEnv({
      temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
      taskQueue: uniqueTaskQueue('npm-run-worker'),
      dataDir: mkdtempSync(join(tmpdir(), 'is-worker-')),
      zuora,
      netsuite,
      extra: { LOG_FORMAT: 'pretty' },
    });
    const p = npmScript('worker', env);
    let below: number[] = [];
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      expect(p.output()).toContain(`Using the Temporal server at ${process.env.TEST_TEMPORAL_ADDRESS}`);
      expect(p.output()).not.toContain('Starting the Temporal dev server');
      expect(p.output()).toMatch(/Zuora: +real, /);
      expect(p.output()).toMatch(/NetSuite: +real, /);
      below = descendants(p.child.pid!);
      expect(below.length).toBeGreaterThan(0);

      expect(await stopBySigterm(p)).toEqual({ code: 0, signal: null });
      expect(below.filter(isAlive)).toEqual([]);
    } finally {
      killLeftovers(p, below);
      await Promise.all([zuora.stop(), netsuite.stop()]);
    }
  });

  test('with nothing configured it starts no demo: exit 2 naming TEMPORAL_ADDRESS, ZUORA_* and NETSUITE_*', async () => {
    const env = { ...(await baseEnv()), EMULATORS: 'zuora' };
    const p = npmScript('worker', env);
    const exit = await p.exited;
    expect(exit.code).toBe(2);
    expect(p.output()).toMatch(
      /TEMPORAL_ADDRESS \(or TEMPORAL_PROFILE\): missing \(npm run worker never starts a dev server/,
    );
    expect(p.output()).toMatch(/EMULATORS: set, but npm run worker never starts an emulator/);
    expect(p.output()).toMatch(/ZUORA_BASE_URL, .*ZUORA_CLIENT_SECRET: missing \(npm run worker uses the real Zuora\)/);
    expect(p.output()).toMatch(
      /NETSUITE_ACCOUNT_ID, .*NETSUITE_TOKEN_SECRET: missing \(npm run worker uses the real NetSuite\)/,
    );
    expect(p.output()).not.toMatch(/emulator listening|Starting the Temporal dev server/);
  });
});
