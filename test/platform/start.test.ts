// `npm start` as a user meets it: the built entry point with the embedded dev server, Web UI and emulators;
// SIGTERM stops all of it; a configured TEMPORAL_ADDRESS is used instead of starting a server; bad settings exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalBinaries, PROJECT_ROOT } from '../../src/temporal/binaries';
import { freePort } from '../helpers/ports';
import { spawnProcess } from '../helpers/process';

const main = join(PROJECT_ROOT, 'dist', 'src', 'main.js');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
  test('embedded: dev server healthy, Web UI answers, SIGTERM exits 0 and leaves no server behind', async () => {
    const env = await baseEnv();
    const p = spawnProcess(process.execPath, [main], env);
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      const ui = await fetch(`http://127.0.0.1:${env.TEMPORAL_UI_PORT}/`);
      expect(ui.status).toBe(200);
      const health = spawnSync(
        loadTemporalBinaries().cli.path!,
        ['operator', 'cluster', 'health', '--address', `127.0.0.1:${env.TEMPORAL_DEV_PORT}`],
        { encoding: 'utf8' },
      );
      expect(health.stdout).toMatch(/SERVING/);
      expect(p.output()).toContain(`http://localhost:${env.TEMPORAL_UI_PORT}`);
      expect(p.output()).toMatch(/temporal workflow start .*--type invoiceSettlementUpgrade/s);

      const serverPids = spawnSync('pgrep', ['-f', '--', `--port ${env.TEMPORAL_DEV_PORT}`], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .map(Number);
      expect(serverPids.length).toBeGreaterThan(0);

      p.child.kill('SIGTERM');
      const exit = await p.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(serverPids.filter(isAlive)).toEqual([]);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  test('after a crash (SIGKILL) a second start finds the earlier upgrade in the SQLite file', async () => {
    const env = { ...(await baseEnv()), METRICS_PORT: String(await freePort()) };
    const address = `127.0.0.1:${env.TEMPORAL_DEV_PORT}`;
    let p = spawnProcess(process.execPath, [main], env);
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
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
      p = spawnProcess(process.execPath, [main], env);
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      expect(p.output()).toMatch(/stopping the dev server \(pid \d+\) left running by an earlier start/);
      const again = await Connection.connect({ address });
      const d = await new Client({ connection: again }).workflow.getHandle('is-upgrade-demo').describe();
      expect(d.type).toBe('invoiceSettlementUpgrade');
      await again.close();
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    } finally {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  });

  test('with TEMPORAL_ADDRESS set it uses that server and starts none', async () => {
    const env = { ...(await baseEnv()), TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS };
    const p = spawnProcess(process.execPath, [main], env);
    try {
      await p.waitFor(/Stop with Ctrl-C/); // the last line of the banner
      expect(p.output()).toContain(`Using the Temporal server at ${process.env.TEST_TEMPORAL_ADDRESS}`);
      expect(p.output()).not.toContain('Starting the Temporal dev server');
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
});
