// The connector paths (seeds 000 and 001) in the operators' CLI: `start --connector-path`, `reuse-ids`,
// `new-oauth-client`, `credentials-entered`, and what `status` says to do while the path is open. The messages
// themselves are driven to the end on a live worker in test/upgrade/upgrade.test.ts.
import { renderChecklist } from '../../src/client/render';
import type { UpgradeStatus } from '../../src/shared/upgrade';
import { connectorPathOf, initialSteps, judgeReuseExistingIds } from '../../src/workflows/upgrade/connector-path';
import { renderUpgradeMarkdown as renderWebUiChecklist } from '../../src/workflows/upgrade/render';
import { cliExpect } from '../helpers/cli';
import { freePort } from '../helpers/ports';

const env = async () => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  IS_OPERATOR: 'ana@example.com',
  TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, // never contacted: each case is refused or printed first
});

test('reuse-ids validates the ids as provisioning ids and sends reuseExistingIds', async () => {
  const e = await env();
  const bad = await cliExpect(['reuse-ids', '--tenant', 'demo', '--account-id', 'x', '--environment-id', 'e 1'], e, 2);
  expect(bad.stderr).toMatch(
    /Invalid reuseExistingIds: accountId: accountId must be 3-64 .*environmentId: environmentId must be 3-64/,
  );
  const line = await cliExpect(
    ['reuse-ids', '--tenant', 'demo', '--account-id', 'acc-1', '--environment-id', 'env-1', '--print-temporal-cli'],
    e,
  );
  expect(line.stdout).toContain(
    `temporal workflow update execute --address ${e.TEMPORAL_ADDRESS} --workflow-id is-upgrade-demo ` +
      `--name reuseExistingIds --input '{"by":"ana@example.com","accountId":"acc-1","environmentId":"env-1"}'`,
  );
  const oauth = await cliExpect(
    ['new-oauth-client', '--tenant', 'demo', '--client-id', 'oauth-2', '--signal', '--print-temporal-cli'],
    e,
  );
  expect(oauth.stdout).toContain(
    `--name completeStep --input '{"by":"ana@example.com","stepId":"connector.new-oauth-client",` +
      `"data":{"oauthClientId":"oauth-2"}}'`,
  );
  const credentials = await cliExpect(['credentials-entered', '--tenant', 'demo', '--print-temporal-cli'], e);
  expect(credentials.stdout).toContain(`"stepId":"connector.instance-credentials"}'`);
});

test('start --connector-path takes the two paths only and passes the choice to the workflow', async () => {
  const e = await env();
  const bad = await cliExpect(
    ['start', '--tenant', 'demo', '--old-instance', 'old-1', '--connector-path', 'reuse'],
    e,
    2,
  );
  expect(bad.stderr).toContain('Allowed choices are support-ticket, reuse-existing-ids');
  const line = await cliExpect(
    [
      'start',
      '--tenant',
      'demo',
      '--old-instance',
      'old-1',
      '--connector-path',
      'reuse-existing-ids',
      '--print-temporal-cli',
    ],
    e,
  );
  expect(line.stdout).toContain(
    `--input '{"tenantId":"demo","oldConnectorInstanceId":"old-1","options":{"connectorPath":"reuse-existing-ids"},"by":`,
  );
});

/** A status at the support-ticket step, as the workflow reports it (steps as a new upgrade has them). */
function atTicketStep(connectorPath: UpgradeStatus['connectorPath']): UpgradeStatus {
  const steps = initialSteps(true, undefined, '2026-01-01T00:00:00.000Z');
  for (const s of steps.slice(
    0,
    steps.findIndex((x) => x.id === 'connector.support-ticket'),
  ))
    s.state = 'done';
  steps.find((x) => x.id === 'connector.support-ticket')!.state = 'waiting';
  return {
    tenantId: 'demo',
    workflowId: 'is-upgrade-demo',
    phase: 'connector',
    currentStep: 'connector.support-ticket',
    waitingOn: 'operator',
    paused: null,
    dryRun: false,
    connectorPath,
    steps,
    migration: {},
    syncs: {},
    openReminders: [],
    audit: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
  };
}

test('while the path is open, status and the Web UI checklist offer both ways on; once chosen, only one', () => {
  const open = renderChecklist(atTicketStep(null));
  expect(open).toContain('Connector path: not chosen yet');
  expect(open).toContain(
    'Next: is-upgrade ticket --tenant demo --ticket-id <id>   (or, to re-use existing ids: is-upgrade reuse-ids ' +
      '--tenant demo --account-id <id> --environment-id <id>)',
  );
  const web = renderWebUiChecklist(atTicketStep(null));
  expect(web).toContain('**Connector path:** not chosen yet');
  expect(web).toMatch(
    /\*\*Next:\*\* `completeStep \{ "stepId": "connector\.support-ticket".*` — or re-use .*`reuseExistingIds \{/,
  );

  const ticket = renderChecklist(atTicketStep('support-ticket'));
  expect(ticket).toContain('Connector path: support ticket');
  expect(ticket).toMatch(/^Next: is-upgrade ticket --tenant demo --ticket-id <id>$/m);
  expect(ticket).not.toContain('reuse-ids');
});

test('an upgrade started before the re-use path keeps its 14 steps, in their order', () => {
  const old = initialSteps(false, 'reuse-existing-ids', '2026-01-01T00:00:00.000Z');
  expect(old.map((s) => s.id)).toEqual([
    'prepare.final-credit-memo-sync',
    'prepare.verify-zuora-synced',
    'prepare.freeze-negative-invoices',
    'enable-invoice-settlement',
    'migrate.credit-memos',
    'connector.oauth-client',
    'connector.new-instance',
    'connector.support-ticket',
    'connector.provisioning-ids',
    'connector.sync-preferences',
    'connector.retire-old',
    'payments.zuora-sync-updates-default',
    'payments.catch-up-sync',
    'schedules.switch',
  ]);
  expect(old.every((s) => s.state === 'pending')).toBe(true);
});

test('an upgrade started before the re-use path refuses reuseExistingIds: it has the ticket path only', () => {
  const ids = { by: 'ana@example.com', accountId: 'acc-existing-1', environmentId: 'env-existing-1' };
  const old = initialSteps(false, undefined, '2026-01-01T00:00:00.000Z');
  expect(judgeReuseExistingIds(ids, old, {}, undefined)).toEqual({
    verdict: 'reject',
    message: 'this upgrade was started before the re-use path existed: it has the support-ticket path only',
  });
  expect(connectorPathOf(old, undefined)).toBe('support-ticket');
  // A new one: open until chosen; kept provisioning ids close it.
  const fresh = initialSteps(true, undefined, '2026-01-01T00:00:00.000Z');
  expect(connectorPathOf(fresh, undefined)).toBeNull();
  expect(judgeReuseExistingIds(ids, fresh, {}, undefined).verdict).toBe('later');
  expect(
    judgeReuseExistingIds(
      ids,
      fresh,
      { provisioningIds: { accountId: 'acc-7781', environmentId: 'env-5521' } },
      undefined,
    ),
  ).toMatchObject({ verdict: 'reject', message: expect.stringMatching(/on the support-ticket path/) });
});
