#!/usr/bin/env node
// Installs Zuora's official Python SDK (generated from Zuora's OpenAPI spec; docs/zuora.md §8) into
// .zuora-sdk/, for the contract test (test/zuora/contract.test.ts → scripts/contract/zuora_contract.py).
// Pinned, with every dependency pinned too and installed without resolution (--no-deps), so the contract is the
// same on every machine; only PyPI is contacted. Once installed this is one file read: a no-op in milliseconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT as root, scriptLogger } from './script-utils.mjs';

/** What `pip install zuora-sdk==3.21.0` resolved on 2026-11-30; change them together with a green contract test. */
export const ZUORA_SDK_PINS = [
  'zuora-sdk==3.21.0',
  'pydantic==2.14.4',
  'pydantic-core==2.50.5',
  'annotated-types==0.8.0',
  'typing-extensions==4.16.0',
  'typing-inspection==0.4.5',
  'python-dateutil==4.0.0',
  'tzdata==2026.6',
  'urllib3==2.0.7',
  'certifi==2023.11.17',
];

export const ZUORA_SDK_HOME = join(root, '.zuora-sdk');
/** The directory to put on PYTHONPATH (the checker is given it as --sdk). */
export const ZUORA_SDK_SITE = join(ZUORA_SDK_HOME, 'site');
const stamp = join(ZUORA_SDK_HOME, 'installed.txt');
const log = scriptLogger('ensure-zuora-sdk');

function installed() {
  try {
    return readFileSync(stamp, 'utf8') === ZUORA_SDK_PINS.join('\n') + '\n';
  } catch {
    return false;
  }
}

function install() {
  const python = process.env.PYTHON ?? 'python3';
  if (existsSync(ZUORA_SDK_SITE)) rmSync(ZUORA_SDK_SITE, { recursive: true, force: true });
  log(`installing ${ZUORA_SDK_PINS[0]} from PyPI into ${ZUORA_SDK_SITE}`);
  const pip = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '--no-deps',
      '--only-binary=:all:',
      '--disable-pip-version-check',
      '--no-warn-script-location',
      '--root-user-action=ignore',
      '-q',
      '--target',
      ZUORA_SDK_SITE,
      ...ZUORA_SDK_PINS,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (pip.status !== 0) {
    throw new Error(`pip install into ${ZUORA_SDK_SITE} failed (exit ${pip.status ?? pip.error?.message})`);
  }
  writeFileSync(stamp, ZUORA_SDK_PINS.join('\n') + '\n');
}

if (!installed()) install();
log(`${ZUORA_SDK_PINS[0]}: ${ZUORA_SDK_SITE}`);
