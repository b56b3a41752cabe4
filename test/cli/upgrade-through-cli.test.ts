// A whole upgrade driven through the operators' CLI as a person would: every command is `node dist/src/client/cli.js`
// in its own process against `npm start`'s stack (dev server, emulators, worker); Zuora's and NetSuite's people are
// played through the emulators' admin API.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { StepId, StepState, UpgradeStatus } from '../../src/shared/upgrade';
import { cliExpect, cliUntil, type CliRun } from '../helpers/cli';
import { emulatorAdmin, startNpmStack, type NpmStartStack } from '../helpers/npm-start';
import { waitForStatus, waitForStep } from '../helpers/upgrade-driver';

let stack: NpmStartStack;
let env: NodeJS.ProcessEnv;
let connection: Connection | undefined;
let client: Client;

beforeAll(async () => {
  stack = await startNpmStack();
  connection = await Connection.connect({ address: stack.temporalAddress });
  client = new Client({ connection });
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    // `report` reads only inside the worker's report store, DATA_DIR/reports.
    DATA_DIR: stack.dataDir,
    IS_OPERATOR: 'ana@example.com',
  };
});

afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

const T = ['--tenant', 'demo'];
type Snapshot = { workflowStatus: string; status: UpgradeStatus; migrationProgress: unknown };
const snapshot = (r: CliRun) => JSON.parse(r.stdout) as Snapshot;
const stepState = (s: Snapshot, id: string) => s.status.steps.find((x) => x.id === id)!.state;

/**
 * Waits until step `id` is in `state` by querying from the test: where nothing is read from the snapshot, a CLI
 * process per poll (a Node start each) would only cost time. `untilStep` where the test checks what the CLI prints.
 */
async function waitUntilStep(id: StepId, state: StepState): Promise<void> {
  await waitForStep(client.workflow.getHandle('is-upgrade-demo'), id, state);
}

/** `status --json` until step `id` is in `state`. */
function untilStep(id: string, state: string): Promise<Snapshot> {
  return cliUntil(
    ['status', ...T, '--json'],
    env,
    (r) => {
      const s = snapshot(r);
      return stepState(s, id) === state ? s : undefined;
    },
    `${id} to be ${state}`,
  );
}

/** The cells of one CSV line (RFC 4180 quoting). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  for (const m of line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)) cells.push(m[1]!);
  return cells;
}

async function send(args: string[], expected: RegExp, code = 0): Promise<CliRun> {
  const r = await cliExpect(args, env, code);
  expect(code === 0 ? r.stdout : r.stderr).toMatch(expected);
  return r;
}

test('a whole upgrade through is-upgrade: start, every human step, status, list, schedules and report', async () => {
  // Before the upgrade the tenant runs the credit memo sync on a schedule (npm start's demo has it, paused); one run
  // syncs the demo memos.
  await send(
    ['schedules', 'create', '--kind', 'credit-memo', ...T, '--standard', '--negative-balance', '--paused'],
    /Already existed: netsuite-credit-memo-sync-demo \(paused\)/,
  );
  await send(['schedules', 'trigger', '--kind', 'credit-memo', ...T], /Triggered/);
  await cliUntil(
    ['schedules', 'describe', '--kind', 'credit-memo', ...T, '--json'],
    env,
    (r) => {
      const d = JSON.parse(r.stdout) as { actionsTaken: number; running: string[] };
      return d.actionsTaken >= 1 && d.running.length === 0;
    },
    'the triggered credit memo sync to finish',
  );
  // Someone unapplies a synced credit memo in NetSuite: the final sync must list it for reconciliation.
  await emulatorAdmin(stack.netsuiteUrl, 'netsuite/credit-memos/10/unapply', {});

  // As `npm start`'s banner says (with --by), and with an approval policy: ana or carol approve, never the starter.
  await send(
    [
      'start',
      ...T,
      '--old-instance',
      'old-instance-1',
      '--by',
      'carol@example.com',
      '--approver',
      'ana@example.com',
      '--approver',
      'carol@example.com',
      '--two-person-rule',
    ],
    /Started the upgrade of tenant demo: workflow is-upgrade-demo/,
  );
  // A clean run's report: a clean CSV on stdout (the audit log so far), what it means on stderr.
  const clean = await cliUntil(
    ['report', ...T, '--format', 'csv'],
    env,
    (r) => (/^audit-log,/m.test(r.stdout) ? r : undefined),
    'the audit log in the report',
  );
  const cleanLines = clean.stdout.split('\n');
  expect(cleanLines.pop()).toBe('');
  // Earlier sync runs of tenant demo on this shared server may have left reconciliation rows: the CSV holds them
  // too, every line with as many cells as the header; the message goes to stderr only when there is none.
  const header = csvCells(cleanLines[0]!);
  for (const line of cleanLines) expect(csvCells(line)).toHaveLength(header.length);
  const started = cleanLines.map(csvCells).find((c) => c[0] === 'audit-log' && c[header.indexOf('seq')] === '1');
  expect(started).toBeDefined();
  const cell = (name: string) => started![header.indexOf(name)];
  expect([cell('workflowId'), cell('message'), cell('outcome'), cell('by')]).toEqual([
    'is-upgrade-demo',
    'system',
    'info',
    'carol@example.com',
  ]);
  expect(cell('detail')).toMatch(/^"?upgrade started /);
  const others = cleanLines.slice(1).filter((l) => !l.startsWith('audit-log,'));
  expect(clean.stderr).toBe(others.length === 0 ? 'No failures and nothing to reconcile.\n' : '');
  await send(['start', ...T, '--old-instance', 'old-instance-1'], /already exists \(workflow is-upgrade-demo\)/, 6);

  // 1 runs by itself and lists the memos not fully applied (they can never sync after Invoice Settlement): the
  // operator goes on without them. 2 finds records not synced to NetSuite and waits: the checklist says what to do.
  await waitUntilStep('prepare.final-credit-memo-sync', 'waiting');
  await send(
    ['complete', ...T, '--step', 'prepare.final-credit-memo-sync'],
    /^accepted: step prepare\.final-credit-memo-sync done/,
  );
  let s = await untilStep('prepare.verify-zuora-synced', 'waiting');
  expect(stepState(s, 'prepare.final-credit-memo-sync')).toBe('done');
  const text = (await cliExpect(['status', ...T], env)).stdout;
  expect(text).toMatch(/\[x\]\s+1\s+prepare\.final-credit-memo-sync\s+done/);
  expect(text).toMatch(/\[\?\]\s+2\s+prepare\.verify-zuora-synced\s+waiting.*itemAdjustments=\d+/);
  expect(text).toContain(
    'Next: sync what it lists to NetSuite, then: is-upgrade retry --tenant demo --step prepare.verify-zuora-synced',
  );
  await emulatorAdmin(stack.zuoraUrl, 'mark-synced-to-netsuite');
  await send(['retry', ...T, '--step', 'prepare.verify-zuora-synced'], /^accepted: checking Zuora again/);

  // 3
  await waitUntilStep('prepare.freeze-negative-invoices', 'waiting');
  await send(['freeze-confirmed', ...T], /^accepted: step prepare\.freeze-negative-invoices done/);

  // The readiness preflight lists the demo's draft payment and pending payment run applying credit balance; each
  // row is acknowledged with a reason (the checklist's text: test/upgrade/readiness-rules.unit.test.ts).
  s = await untilStep('prepare.readiness-preflight', 'waiting');
  expect(s.status.steps.find((x) => x.id === 'prepare.readiness-preflight')!.data.open).toEqual([
    'draft-payments',
    'payment-runs-applying-credit-balance',
  ]);
  for (const row of ['draft-payments', 'payment-runs-applying-credit-balance']) {
    await send(
      ['acknowledge-readiness', ...T, '--row', row, '--reason', 'handled by the payments team'],
      new RegExp(`^accepted: row ${row} acknowledged`),
    );
  }

  // 4: waits on Zuora support; a claim before Zuora has really enabled it is recorded and refuted.
  s = await untilStep('enable-invoice-settlement', 'waiting');
  expect(s.status.waitingOn).toBe('zuora-support');
  await cliUntil(
    ['list', '--waiting-on', 'zuora-support'],
    env,
    (r) => /^demo\s+is-upgrade-demo\s+RUNNING\s+enable\s+zuora-support/m.test(r.stdout),
    'list to show demo waiting on zuora-support',
  );
  expect((await cliExpect(['list', '--waiting-on', 'operator'], env)).stdout).toMatch(/No upgrades match/);
  await send(['is-enabled', ...T, '--by', 'bob@example.com'], /^accepted: claim recorded/);
  await waitForStatus(
    client.workflow.getHandle('is-upgrade-demo'),
    (x) => x.audit.some((a) => a.outcome === 'rejected' && /not confirmed/.test(a.detail)),
    'the early claim to be refuted',
  );
  await emulatorAdmin(stack.zuoraUrl, 'enable-invoice-settlement');
  await send(['is-enabled', ...T], /^accepted: claim recorded/);

  // 5: dry run, approval (too early is refused by the workflow itself), bulk update with a progress bar.
  s = await untilStep('migrate.credit-memos', 'waiting');
  expect(s.status.migration.dryRun?.found).toBeGreaterThan(0);
  const printed = await cliExpect(
    ['approve', ...T, '--step', 'migrate.credit-memos', '--note', 'dry run reviewed', '--print-temporal-cli'],
    env,
  );
  expect(printed.stdout.trim()).toBe(
    `temporal workflow update execute --address ${stack.temporalAddress} --workflow-id is-upgrade-demo --name approveStep ` +
      `--input '{"by":"ana@example.com","stepId":"migrate.credit-memos","note":"dry run reviewed"}'`,
  );
  // Hold Zuora's Data Query so the bulk update is seen in progress, then let it go.
  await emulatorAdmin(stack.zuoraUrl, 'config', { dataQueryDelayMs: 3_600_000 });
  // Rejections name the rule: someone not on the list, and the one who started the upgrade.
  await send(
    ['approve-migration', ...T, '--by', 'dave@example.com'],
    /Refused by the workflow: approver allow-list: dave@example\.com may not approve this upgrade \(approvers: ana@example\.com, carol@example\.com\)/,
    5,
  );
  await send(
    ['approve-migration', ...T, '--by', 'carol@example.com'],
    /Refused by the workflow: two-person rule: carol@example\.com started this upgrade, so someone else must approve it/,
    5,
  );
  await send(
    ['approve-migration', ...T, '--note', 'dry run reviewed'],
    /^accepted: step migrate\.credit-memos approved/,
  );
  const bar = await cliUntil(
    ['status', ...T],
    env,
    // The canary's child (the demo's memos all fit in its first 50: no second approval) or the migration's own.
    (r) =>
      /Migration \(is-upgrade-demo-credit-memos(-canary)?\):\n\s+\[[#-]{30}\]\s+\d+%.*querying/.exec(r.stdout)?.[0],
    'the migration progress bar',
  );
  expect(bar).toContain('pass 1');
  await emulatorAdmin(stack.zuoraUrl, 'config', { dataQueryDelayMs: 50 });

  // Connector steps: data the workflow checks; a bad id is refused by the workflow (exit 5), a malformed message here (exit 2).
  await waitUntilStep('connector.oauth-client', 'waiting');
  await send(
    ['oauth-client', ...T, '--client-id', 'bad id!'],
    /Refused by the workflow: step connector\.oauth-client needs data\.oauthClientId/,
    5,
  );
  await send(['oauth-client', ...T, '--client-id', 'oauth-client-42', '--json'], /"outcome":"accepted"/);
  await send(
    ['provide-ids', ...T, '--account-id', 'x', '--environment-id', 'env-5521'],
    /Invalid provisioningIdsReceived: accountId: accountId must be 3-64/,
    2,
  );
  // Zuora's provisioning team answers early: kept for its step.
  await send(
    [
      'provide-ids',
      ...T,
      '--account-id',
      'acc-7781',
      '--environment-id',
      'env-5521',
      '--ticket-id',
      'T-1',
      '--by',
      'zuora-support',
    ],
    /^kept-for-later/,
  );
  await waitUntilStep('connector.new-instance', 'waiting');
  await send(
    ['new-instance', ...T, '--instance-id', 'new-instance-2', '--signal'],
    /^Signal completeStep sent to is-upgrade-demo/,
  );
  await waitUntilStep('connector.instance-credentials', 'waiting');
  await send(['credentials-entered', ...T], /^accepted/);
  await waitUntilStep('connector.support-ticket', 'waiting');
  await send(['ticket', ...T, '--ticket-id', 'T-1'], /^accepted/);

  // The provisioning ids are answered already; the sync preferences under a pause.
  await waitUntilStep('connector.sync-preferences', 'waiting');
  await send(['pause', ...T, '--reason', 'month-end close'], /^accepted: paused/);
  await send(['sync-preferences-configured', ...T], /^accepted/);
  await waitUntilStep('connector.sync-preferences', 'done');
  const paused = (await cliExpect(['status', ...T], env)).stdout;
  expect(paused).toContain('PAUSED by ana@example.com');
  expect(paused).toContain('Next: is-upgrade resume --tenant demo');
  await send(['resume', ...T], /^accepted: resumed/);
  await waitUntilStep('connector.retire-old', 'waiting');
  await send(['old-instance-retired', ...T], /^accepted/);
  await waitUntilStep('payments.zuora-sync-updates-default', 'waiting');
  await send(['sync-updates-default-set', ...T], /^accepted/);

  // The last two run by themselves: `status --watch` follows until the end and exits 0.
  const watched = await cliExpect(['status', ...T, '--watch', '--interval', '0.3'], env);
  expect(watched.stdout).toContain('All steps finished.');
  const final = snapshot(await cliExpect(['status', ...T, '--json'], env));
  expect(final.workflowStatus).toBe('COMPLETED');
  // The ticket path: the re-use path's steps are shown as not needed.
  const reusePath = ['connector.existing-ids', 'connector.new-oauth-client'];
  expect(final.status.steps.map((x) => x.state)).toEqual(
    final.status.steps.map((x) => (reusePath.includes(x.id) ? 'skipped' : 'done')),
  );
  expect(final.status.migration.result).toMatchObject({ verified: true, remaining: 0 });
  expect(final.status.steps.find((x) => x.id === 'connector.provisioning-ids')?.data).toMatchObject({
    accountId: 'acc-7781',
    environmentId: 'env-5521',
  });
  const accepted = final.status.audit.filter((a) => a.outcome === 'accepted').map((a) => `${a.message}:${a.by}`);
  expect(accepted).toEqual(
    expect.arrayContaining([
      'retryStep:ana@example.com',
      'invoiceSettlementEnabled:bob@example.com',
      'approveStep:ana@example.com',
      'completeStep:ana@example.com',
    ]),
  );

  // A finished upgrade takes no more messages; it is never started twice.
  await send(['resume', ...T], /has already finished \(COMPLETED\)/, 5);
  await send(['start', ...T, '--old-instance', 'old-instance-1'], /already exists/, 6);
  expect((await cliExpect(['list', '--all', '--phase', 'done'], env)).stdout).toMatch(
    /^demo\s+is-upgrade-demo\s+COMPLETED\s+done\s+nothing/m,
  );

  // Report: the memo unapplied after it synced, from the final sync's reconciliation file on DATA_DIR.
  const report = JSON.parse((await cliExpect(['report', ...T, '--format', 'json'], env)).stdout) as {
    reports: { kind: string; path: string; readable: boolean; rows: Record<string, unknown>[] }[];
  };
  const reconciliation = report.reports.filter((r) => r.kind === 'reconciliation');
  expect(reconciliation.length).toBeGreaterThan(0);
  expect(reconciliation.flatMap((r) => r.rows)).toEqual(
    expect.arrayContaining([expect.objectContaining({ id: '10', tranId: 'CM10' })]),
  );
  // The whole audit log, every entry once and in order (the status keeps only the newest).
  const audit = report.reports.filter((r) => r.kind === 'audit-log').flatMap((r) => r.rows);
  expect(audit.map((r) => r.seq)).toEqual(audit.map((_, i) => i + 1));
  expect(audit.length).toBe(final.status.auditLog?.recorded);
  expect(audit).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ message: 'approveStep', by: 'ana@example.com', outcome: 'accepted' }),
      expect.objectContaining({ message: 'system', detail: 'upgrade finished' }),
    ]),
  );
  const csv = (await cliExpect(['report', ...T], env)).stdout.split('\n');
  expect(csv[0]).toMatch(/^report,workflowId,id,tranId,/);
  expect(csv.some((l) => /^reconciliation,is-upgrade-demo \(finalCreditMemoSync\),10,CM10,/.test(l))).toBe(true);
  // Where the files cannot be read, the CLI names them (exit 3).
  const reportsDir = join(stack.dataDir, 'reports');
  renameSync(reportsDir, `${reportsDir}.away`);
  try {
    const away = await cliExpect(['report', ...T], env, 3);
    expect(away.stderr).toContain(`reconciliation: ${reconciliation[0]!.path}`);
    expect(away.stderr).toContain('worker’s DATA_DIR');
  } finally {
    renameSync(`${reportsDir}.away`, reportsDir);
  }

  // Schedules after the switch: credit memo sync retired, payment sync running; every schedules command.
  await send(
    ['schedules', 'describe', '--kind', 'credit-memo', ...T],
    /No credit-memo sync schedule for tenant "demo"/,
    3,
  );
  await send(['schedules', 'describe', '--kind', 'payment', ...T], /state\s+running/);
  await send(
    ['schedules', 'pause', '--kind', 'payment', ...T, '--note', 'maintenance'],
    /Paused: netsuite-payment-sync-demo/,
  );
  await send(['schedules', 'describe', '--kind', 'payment', ...T], /state\s+paused \(maintenance\)/);
  await send(['schedules', 'resume', '--kind', 'payment', ...T], /Resumed/);
  await send(['schedules', 'trigger', '--kind', 'payment', ...T], /Triggered/);
  await send(
    [
      'schedules',
      'backfill',
      '--kind',
      'payment',
      ...T,
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-01T01:00:00Z',
    ],
    /Backfill requested/,
  );
  await send(['schedules', 'delete', '--kind', 'payment', ...T], /Deleted: netsuite-payment-sync-demo/);
  await send(['schedules', 'describe', '--kind', 'payment', ...T], /No payment sync schedule/, 3);
});
