// The Temporal Web UI that `npm start` serves, in a real browser (Debian's chromium through playwright-core): an
// operator finds the upgrade's checklist on its page, sends a human step as a signal from the UI, and sees it done;
// markup an operator wrote (an image, a script, a link) is shown as text (issue 16 point 4).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import type { UpgradeStatus } from '../../src/shared/upgrade';
import { signalDescription, upgradeMetadata } from '../../src/shared/web-ui';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { launchChromium, requireChromium } from '../helpers/chromium';
import { cliExpect, cliUntil } from '../helpers/cli';
import { emulatorAdmin, startNpmStack, type NpmStartStack } from '../helpers/npm-start';
import { temporalCli } from '../helpers/temporal-cli';

const SCREENSHOTS = join(PROJECT_ROOT, '.data', 'screenshots'); // .data is git-ignored
const STEP = 'prepare.freeze-negative-invoices';
const DEMO = { tenantId: 'demo', oldConnectorInstanceId: 'old-instance-1' };

let stack: NpmStartStack;
let browser: BrowserContext | undefined;

beforeAll(async () => {
  requireChromium(); // before starting anything: a missing browser fails the test with the installer's reason
  stack = await startNpmStack();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/**
 * User Metadata renders each markdown text (Summary, Details, Current Details) in its own sandboxed frame: the frame
 * whose text contains `marker`, once it is there.
 */
async function metadataFrame(page: Page, marker: string): Promise<Frame> {
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame
        .locator('body')
        .innerText({ timeout: 1_000 })
        .catch(() => '');
      if (text.includes(marker)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no User Metadata frame shows "${marker}"`);
    await page.waitForTimeout(100); // polling the page for the frame, not a fixed wait
  }
}

/** The checklist is markdown the UI renders in a sandboxed frame under User Metadata → Current Details. */
async function checklistText(page: Page): Promise<string> {
  return (await metadataFrame(page, 'Invoice Settlement upgrade — tenant')).locator('body').innerText();
}

/** A signal in the Send a Signal list: its name, then its description (issue 14 point 5). */
const signalOption = (page: Page, name: string) =>
  page
    .getByRole('option')
    .filter({ has: page.locator('span', { hasText: new RegExp(`^${name}$`) }) })
    .locator('visible=true');

test('the Web UI shows the checklist and sends completeStep as a signal', async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: stack.temporalAddress };
  await emulatorAdmin(stack.zuoraUrl, 'mark-synced-to-netsuite'); // step 2 finds nothing unsynced
  await cliExpect(['start', '--tenant', 'demo', '--old-instance', 'old-instance-1'], env);
  const stepState = (out: string, id: string = STEP) =>
    (JSON.parse(out) as { status: UpgradeStatus }).status.steps.find((s) => s.id === id)!;
  // No credit memo sync schedule: the final sync asks which syncs the tenant had; both off, as the connector ships.
  const FINAL = 'prepare.final-credit-memo-sync';
  await cliUntil(
    ['status', '--tenant', 'demo', '--json'],
    env,
    (r) => stepState(r.stdout, FINAL).state === 'waiting',
    `${FINAL} to ask`,
  );
  await cliExpect(
    ['complete', '--tenant', 'demo', '--by', 'ana@example.com', '--step', FINAL].concat([
      '--data',
      'standard=false',
      '--data',
      'negativeBalance=false',
    ]),
    env,
  );
  await cliUntil(
    ['status', '--tenant', 'demo', '--json'],
    env,
    (r) => stepState(r.stdout).state === 'waiting',
    `${STEP} to wait`,
  );

  browser = await launchChromium();
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.goto(`${stack.uiUrl}/namespaces/default/workflows/is-upgrade-demo`);
  await page.getByText('invoiceSettlementUpgrade').first().waitFor();
  // The static summary set by `is-upgrade start` (issue 14 point 5): what the upgrade is, for which tenant.
  const summary = await metadataFrame(page, 'Invoice Settlement upgrade · demo');
  expect(await summary.locator('body').innerText()).toContain(upgradeMetadata(DEMO).staticSummary);
  const before = await checklistText(page);
  // Phase and what it waits on: the first line under the heading of the Current Details.
  expect(before.split('\n').filter(Boolean)[1]).toMatch(/^Phase: prepare · waiting on: operator/);
  expect(before).toMatch(new RegExp(`3\\. ${STEP.replace(/\./g, '\\.')} .*\\twaiting\\t`));

  // More Actions → Send a Signal → completeStep with its JSON.
  await page.getByRole('button', { name: 'More Actions' }).click();
  await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('[data-testid="signal-select-button"]:visible').click();
  // Each signal shows its description with an example payload.
  expect(await signalOption(page, 'completeStep').innerText()).toContain(signalDescription('completeStep'));
  await signalOption(page, 'completeStep').click();
  await dialog.locator('[role="textbox"][aria-label="Data"]').click();
  await page.keyboard.insertText(JSON.stringify({ by: 'ui@example.com', stepId: STEP }));
  // The editor hands its text to the form when it loses focus.
  await dialog.getByText('Single JSON payload supported.').click();
  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && /\/signal\/completeStep/.test(r.url()));
  await dialog.getByRole('button', { name: 'Submit' }).click();
  expect((await sent).status()).toBe(200);

  // The workflow took it (status query through the CLI), and the page shows it once reloaded.
  const done = await cliUntil(
    ['status', '--tenant', 'demo', '--json'],
    env,
    (r) => {
      const s = stepState(r.stdout);
      return s.state === 'done' ? s : undefined;
    },
    `${STEP} to be done`,
  );
  expect(done.by).toBe('ui@example.com');
  await page.reload();
  const after = await checklistText(page);
  expect(after).toMatch(new RegExp(`3\\. ${STEP.replace(/\./g, '\\.')} .*\\tdone\\tui@example\\.com`));
  expect(after).toMatch(/completeStep by ui@example\.com: accepted/);

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'web-ui-checklist.png'), fullPage: true });
});

test('an image or script injected in a pause reason is shown as text in the Web UI: no element, nothing runs', async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: stack.temporalAddress };
  // No quotes: the UI typesets them as curly quotes, which would only make the comparison below harder to read.
  const reason =
    '<img src=x onerror=alert(1)> <script>alert(2)</script> ![pixel](http://127.0.0.1:9/pixel.png) ' +
    '[click](javascript:alert(3)) | forged | row | **bold** # heading';
  await cliExpect(['pause', '--tenant', 'demo', '--by', 'mallory<b>@example.com', '--reason', reason], env);

  browser ??= await launchChromium();
  const page = browser.pages()[0] ?? (await browser.newPage());
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await page.goto(`${stack.uiUrl}/namespaces/default/workflows/is-upgrade-demo`);
  await page.getByText('invoiceSettlementUpgrade').first().waitFor();
  const text = await checklistText(page);
  // The reason reads as written ...
  expect(text).toContain(`PAUSED by mallory<b>@example.com: ${reason}`);
  // ... and made no element: no image, no script, no link, no bold, no extra table row.
  const frame = await metadataFrame(page, 'Invoice Settlement upgrade — tenant');
  expect(await frame.locator('img, script, a[href^="javascript"], b').count()).toBe(0);
  const { status } = JSON.parse((await cliExpect(['status', '--tenant', 'demo', '--json'], env)).stdout) as {
    status: UpgradeStatus;
  };
  expect(await frame.locator('tr').count()).toBe(status.steps.length + 1); // the header and one row per step
  expect(dialogs).toBe(0);
  await page.screenshot({ path: join(SCREENSHOTS, 'web-ui-hostile-reason.png'), fullPage: true });
});

test('a workflow paused on the server (Workflow Pause) is reported as such by status and list, then unpaused', async () => {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: stack.temporalAddress };
  const pause = ['workflow', 'pause', '--workflow-id', 'is-upgrade-demo', '--reason', 'incident 42'];
  const paused = await temporalCli(pause, stack.temporalAddress);
  expect(paused).toMatchObject({ status: 0 });
  try {
    const status = await cliExpect(['status', '--tenant', 'demo'], env);
    expect(status.stdout).toMatch(
      /^PAUSED ON THE SERVER \(Workflow Pause\) by .+: incident 42\. Nothing of the upgrade/,
    );
    expect(status.stdout).toContain('temporal workflow unpause --workflow-id is-upgrade-demo');
    // The server answers no query of a paused workflow: the phase is the one the upgrade last published.
    expect(status.stdout).toMatch(/Last published: phase \w+, waiting on [\w-]+ /);
    const json = JSON.parse((await cliExpect(['status', '--tenant', 'demo', '--json'], env)).stdout) as unknown;
    expect(json).toMatchObject({ workflowStatus: 'PAUSED', serverPause: { reason: 'incident 42' } });
    const list = JSON.parse((await cliExpect(['list', '--json'], env)).stdout) as { upgrades: { status: string }[] };
    expect(list.upgrades).toEqual([expect.objectContaining({ workflowId: 'is-upgrade-demo', status: 'PAUSED' })]);
  } finally {
    await temporalCli(['workflow', 'unpause', '--workflow-id', 'is-upgrade-demo'], stack.temporalAddress);
  }
  const after = JSON.parse((await cliExpect(['status', '--tenant', 'demo', '--json'], env)).stdout) as {
    workflowStatus: string;
  };
  expect(after.workflowStatus).toBe('RUNNING');
});
