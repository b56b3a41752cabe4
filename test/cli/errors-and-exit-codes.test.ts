// Each class of error the CLI reports, as a person and a script see it: one clear message on stderr, no stack trace
// unless --verbose, and the documented exit code (0 ok, 1 failure, 2 usage, 3 not found, 4 unreachable,
// 5 refused by the workflow — covered with a live worker in upgrade-through-cli.test.ts —, 6 already exists).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { loadTemporalBinaries } from '../../src/temporal/binaries';
import { cliExpect } from '../helpers/cli';
import { freePort } from '../helpers/ports';
import { STEP_DATA_SECRET_CANARIES } from '../secret-scan';

const address = () => process.env.TEST_TEMPORAL_ADDRESS!;
const base = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, IS_OPERATOR: 'ana@example.com' });
const onServer = () => ({ ...base(), TEMPORAL_ADDRESS: address() });
const STACK_FRAME = /\n\s+at .+\(.*:\d+:\d+\)/;

/** Tenants started here have no worker on their task queue: terminate them so nothing is left running. */
const started: string[] = [];
afterAll(async () => {
  const connection = await Connection.connect({ address: address() });
  const client = new Client({ connection });
  for (const id of started)
    await client.workflow
      .getHandle(id)
      .terminate('test cleanup')
      .catch(() => undefined);
  await connection.close();
});

describe('usage and validation (exit 2): nothing is sent', () => {
  test('a missing or malformed flag names the flag', async () => {
    const missing = await cliExpect(['status'], base(), 2);
    expect(missing.stderr).toContain("required option '--tenant <tenantId>' not specified");
    const bad = await cliExpect(['status', '--tenant', 'no spaces'], base(), 2);
    expect(bad.stderr).toContain('tenantId must be 1-63 letters, digits, "-" or "_"');
    const step = await cliExpect(['complete', '--tenant', 'demo', '--step', 'no.such-step'], base(), 2);
    expect(step.stderr).toMatch(/Allowed choices are prepare\.final-credit-memo-sync, /);
    const skip = await cliExpect(['skip', '--tenant', 'demo', '--step', 'connector.retire-old'], base(), 2);
    expect(skip.stderr).toContain("required option '--reason <text>' not specified");
    const data = await cliExpect(
      ['complete', '--tenant', 'demo', '--step', 'connector.retire-old', '--data', 'x'],
      base(),
      2,
    );
    expect(data.stderr).toContain('"x" is not key=value');
  });

  test('a message that breaks the contract is refused before any server is contacted', async () => {
    // An address where nothing listens: exit 2, not 4, proves the check happens first.
    const env = { ...base(), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
    const ids = await cliExpect(
      ['provide-ids', '--tenant', 'demo', '--account-id', 'x', '--environment-id', 'env 1'],
      env,
      2,
    );
    expect(ids.stderr).toMatch(
      /Invalid provisioningIdsReceived: accountId: accountId must be 3-64 .*environmentId: environmentId must be 3-64/,
    );
    const secret = await cliExpect(
      ['complete', '--tenant', 'demo', '--step', 'connector.oauth-client', '--data', 'clientSecret=s3cr3t'],
      env,
      2,
    );
    expect(secret.stderr).toContain('data.clientSecret: this key names a secret');
    expect(secret.stderr).not.toContain('s3cr3t');
    // A secret-shaped value under an innocent key: refused naming the key, the value never echoed.
    const canary = STEP_DATA_SECRET_CANARIES[0]!;
    const shaped = await cliExpect(
      ['complete', '--tenant', 'demo', '--step', 'connector.oauth-client', '--data', `reference=${canary}`],
      env,
      2,
    );
    expect(shaped.stderr).toContain('data.reference: the value looks like a Stripe-style API key');
    expect(shaped.stderr + shaped.stdout).not.toContain(canary);
    const start = await cliExpect(
      ['start', '--tenant', 'demo', '--old-instance', 'old 1', '--reminder-interval', 'soon'],
      env,
      2,
    );
    expect(start.stderr).toMatch(
      /--old-instance: --old-instance must be an instance id.*--reminder-interval: must be a duration/,
    );
    const by = await cliExpect(
      ['pause', '--tenant', 'demo', '--reason', 'x', '--by', '  '],
      { ...env, IS_OPERATOR: '' },
      2,
    );
    expect(by.stderr).toMatch(/"by"|--by/);
  });

  test("start takes the banner's --by and an approval policy; a bad one is refused naming the flag", async () => {
    const env = { ...base(), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` };
    const banner = ['start', '--tenant', 'demo', '--old-instance', 'old-instance-1', '--by', 'you@example.com'];
    const printed = await cliExpect(
      [...banner, '--approver', 'ana@example.com', '--two-person-rule', '--print-temporal-cli'],
      env,
    );
    expect(printed.stdout).toContain(
      `--input '{"tenantId":"demo","oldConnectorInstanceId":"old-instance-1","options":{"approvals":` +
        `{"approvers":["ana@example.com"],"twoPersonRule":true}},"by":"you@example.com"}'`,
    );
    const empty = await cliExpect([...banner.slice(0, -1), ' ', '--print-temporal-cli'], env, 2);
    expect(empty.stderr).toContain('Invalid start input: by: by must not be empty');
    const approver = await cliExpect([...banner, '--approver', 'a\u202eb', '--print-temporal-cli'], env, 2);
    expect(approver.stderr).toContain('--approver: each approver must not contain control characters');
  });

  test('--help exits 0 and documents the exit codes', async () => {
    const help = await cliExpect(['--help'], base(), 0);
    expect(help.stdout).toContain(
      'Exit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 not found, 4 Temporal unreachable',
    );
    expect(help.stdout).toMatch(/provide-ids \[options\]/);
  });
});

describe('no server reachable (exit 4)', () => {
  test('names the address tried; a stack trace only with --verbose', async () => {
    const tried = `127.0.0.1:${await freePort()}`;
    const env = { ...base(), TEMPORAL_ADDRESS: tried };
    const r = await cliExpect(['status', '--tenant', 'demo', '--connect-timeout', '1'], env, 4);
    expect(r.stderr).toContain(`Cannot reach a Temporal server at ${tried} (namespace default)`);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const flag = await cliExpect(['--address', tried, 'list', '--connect-timeout', '1'], base(), 4);
    expect(flag.stderr).toContain(`at ${tried}`);
    const verbose = await cliExpect(
      ['freeze-confirmed', '--tenant', 'demo', '--connect-timeout', '1', '--verbose'],
      env,
      4,
    );
    expect(verbose.stderr).toMatch(STACK_FRAME);
  });
});

describe('not found (exit 3)', () => {
  test('an unknown tenant, for a query and for a message', async () => {
    const tenant = `nobody-${randomUUID().slice(0, 8)}`;
    const status = await cliExpect(['status', '--tenant', tenant], onServer(), 3);
    expect(status.stderr).toContain(`No upgrade for tenant "${tenant}": workflow is-upgrade-${tenant} does not exist`);
    expect(status.stderr).not.toMatch(STACK_FRAME);
    const message = await cliExpect(['freeze-confirmed', '--tenant', tenant], onServer(), 3);
    expect(message.stderr).toContain(`No upgrade for tenant "${tenant}"`);
    const schedule = await cliExpect(['schedules', 'describe', '--kind', 'payment', '--tenant', tenant], onServer(), 3);
    expect(schedule.stderr).toContain(`No payment sync schedule for tenant "${tenant}"`);
    const ns = await cliExpect(['--namespace', 'no-such-namespace', 'status', '--tenant', tenant], onServer(), 3);
    expect(ns.stderr).toContain('Namespace "no-such-namespace" does not exist');
  });
});

describe('already exists (exit 6) and the printed temporal CLI lines', () => {
  test('the printed `temporal workflow start` line starts the upgrade; is-upgrade start then refuses a second', async () => {
    const tenant = `cli-${randomUUID().slice(0, 8)}`;
    const taskQueue = `no-worker-${randomUUID()}`;
    const printed = await cliExpect(
      [
        'start',
        '--tenant',
        tenant,
        '--old-instance',
        'old-1',
        '--dry-run',
        '--task-queue',
        taskQueue,
        '--print-temporal-cli',
      ],
      onServer(),
    );
    expect(printed.stdout.trim()).toContain(
      `temporal workflow start --address ${address()} --task-queue ${taskQueue} --type invoiceSettlementUpgrade ` +
        `--workflow-id is-upgrade-${tenant} --id-reuse-policy RejectDuplicate ` +
        `--input '{"tenantId":"${tenant}","oldConnectorInstanceId":"old-1","options":{"dryRun":true},"by":"ana@example.com"}' ` +
        `--static-summary 'Invoice Settlement upgrade · ${tenant} · rehearsal (dry run) · `,
    );
    const cli = loadTemporalBinaries().cli.path!;
    const ran = spawnSync('sh', ['-c', printed.stdout.replace(/^temporal /, `'${cli}' `)], { encoding: 'utf8' });
    expect(ran.status).toBe(0);
    started.push(`is-upgrade-${tenant}`);

    const again = await cliExpect(
      ['start', '--tenant', tenant, '--old-instance', 'old-1', '--task-queue', taskQueue],
      onServer(),
      6,
    );
    expect(again.stderr).toContain(`An upgrade of tenant "${tenant}" already exists (workflow is-upgrade-${tenant})`);

    // No worker on that queue: the status query cannot be answered, and the CLI says why (exit 1).
    const noWorker = await cliExpect(['status', '--tenant', tenant, '--query-timeout', '1'], onServer(), 1);
    expect(noWorker.stderr).toContain('No worker answered the status query within 1s: is the worker running');
  });

  test('every message has its temporal CLI line: update by default, signal with --signal', async () => {
    const env = { ...base(), TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }; // never contacted
    const update = await cliExpect(
      ['provide-ids', '--tenant', 'demo', '--account-id', 'acc-1', '--environment-id', 'env-1', '--print-temporal-cli'],
      env,
    );
    expect(update.stdout).toContain(
      `temporal workflow update execute --address ${env.TEMPORAL_ADDRESS} --workflow-id is-upgrade-demo --name provisioningIdsReceived ` +
        `--input '{"by":"ana@example.com","accountId":"acc-1","environmentId":"env-1"}'`,
    );
    const signal = await cliExpect(
      [
        'skip',
        '--tenant',
        'demo',
        '--step',
        'connector.retire-old',
        '--reason',
        "it's gone",
        '--signal',
        '--print-temporal-cli',
      ],
      env,
    );
    expect(signal.stdout).toContain(
      `temporal workflow signal --address ${env.TEMPORAL_ADDRESS} --workflow-id is-upgrade-demo --name skipStep ` +
        `--input '{"by":"ana@example.com","stepId":"connector.retire-old","reason":"it'\\''s gone"}'`,
    );
    const list = await cliExpect(['list', '--waiting-on', 'zuora-support', '--print-temporal-cli'], env);
    expect(list.stdout).toContain(
      `--query 'WorkflowType = '\\''invoiceSettlementUpgrade'\\'' AND ExecutionStatus IN ('\\''Running'\\'', '\\''Paused'\\'') AND IsWaitingOn = '\\''zuora-support'\\'''`,
    );
  });
});
