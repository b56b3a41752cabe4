// Debian's chromium driven by playwright-core (no browser download). scripts/ensure-chromium.mjs, run by `npm test`,
// installs it; when it could not, its note says why and the browser test fails with that reason.
import { accessSync, constants, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails at once, with the installer's reason, when the browser is not there. */
export function requireChromium(): void {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    const note = join(PROJECT_ROOT, '.data', 'chromium-install.txt');
    const why = existsSync(note)
      ? readFileSync(note, 'utf8').trim()
      : 'run `node scripts/ensure-chromium.mjs` (as root)';
    throw new Error(`The browser test needs chromium at ${CHROMIUM_PATH}, which is missing: ${why}`);
  }
}

export async function launchChromium(): Promise<BrowserContext> {
  requireChromium();
  // A fresh profile each time: no state from an earlier run, no first-run or background network traffic.
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'is-chromium-')), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
