#!/usr/bin/env node
// The browser test (test/cli/web-ui.test.ts) drives Debian's chromium with playwright-core: no browser download from
// the internet, only the distribution's package. `npm test` runs this first. Idempotent: when the browser is there
// it is a single stat call. It never fails the run itself; when it cannot install, it says why and the browser test
// fails with that reason (test/helpers/chromium.ts reads the note written here).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isExecutable, PROJECT_ROOT, scriptLogger } from './script-utils.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noteFile = join(PROJECT_ROOT, '.data', 'chromium-install.txt');
const log = scriptLogger('ensure-chromium');

function note(text) {
  mkdirSync(dirname(noteFile), { recursive: true });
  writeFileSync(noteFile, text + '\n');
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n') };
}

function main() {
  if (isExecutable(CHROMIUM_PATH)) {
    rmSync(noteFile, { force: true });
    return;
  }
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find(isExecutable);
  if (!aptGet) {
    const why = `${CHROMIUM_PATH} is missing and this machine has no apt-get: install chromium with your package manager`;
    log(why);
    return note(why);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    const why = `${CHROMIUM_PATH} is missing and installing it needs root: run \`sudo apt-get install -y chromium\``;
    log(why);
    return note(why);
  }
  log(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (Debian's package; a few minutes the first time)`);
  let r = run(aptGet, ['install', '-y', '--no-install-recommends', 'chromium']);
  if (!r.ok) {
    // A fresh image often has no package lists yet.
    log('apt-get install failed; running apt-get update and trying again');
    run(aptGet, ['update']);
    r = run(aptGet, ['install', '-y', '--no-install-recommends', 'chromium']);
  }
  if (r.ok && isExecutable(CHROMIUM_PATH)) {
    log(`installed ${CHROMIUM_PATH}`);
    rmSync(noteFile, { force: true });
    return;
  }
  const why = r.ok
    ? `apt-get install -y chromium succeeded but ${CHROMIUM_PATH} is still missing:\n${r.out}`
    : `apt-get install -y chromium failed, so ${CHROMIUM_PATH} is missing:\n${r.out}`;
  log(why);
  note(why);
}

main();
