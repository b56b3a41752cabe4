// Records every HTTP exchange our Zuora client makes — what it sends and what comes back, as on the wire — and hands
// them to scripts/contract/zuora_contract.py, which checks them against Zuora's OpenAPI spec (the zuora-sdk models).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseBody: unknown;
}

export interface ContractReport {
  sdk: string;
  spec: string;
  exchanges: number;
  operationsChecked: number;
  pairsValidated: number;
  operations: Record<string, { sdkOperation: string; pairs: number; statuses: number[] }>;
  notInSpec: Array<{ operation: string; exchanges: number }>;
  customFieldsAsAdditionalProperties: Record<string, string[]>;
  statusesNotListedForTheOperation: Record<string, { statuses: number[]; checkedAgainst: string }>;
  errors: Array<{ exchange: number; operation: string; error: string }>;
}

const ROOT = resolve(__dirname, '..', '..');
/** Installed by `npm test`'s pretest (scripts/ensure-zuora-sdk.mjs). */
export const SDK_SITE = join(ROOT, '.zuora-sdk', 'site');
const CHECKER = join(ROOT, 'scripts', 'contract', 'zuora_contract.py');

/**
 * A fetch that records each exchange. Data Query result files are left out on purpose: they are pre-signed S3
 * downloads, not Zuora API calls, and the spec does not describe them.
 */
export function recordingFetch(into: Exchange[], base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const response = await base(input, init);
    if (url.pathname.startsWith('/__files/')) return response;
    const text = await response.clone().text();
    into.push({
      method: (init?.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      requestHeaders: Object.fromEntries(new Headers(init?.headers)),
      requestBody: bodyOf(init?.body),
      status: response.status,
      responseBody: parseJson(text),
    });
    return response;
  };
}

function bodyOf(body: RequestInit['body']): unknown {
  if (body === undefined || body === null) return null;
  if (body instanceof URLSearchParams) return Object.fromEntries(body);
  if (typeof body === 'string') return parseJson(body);
  throw new Error(`the recorder cannot read a ${Object.prototype.toString.call(body)} body`);
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Runs the checker over `exchanges`; its JSON report is returned whatever the verdict (the test asserts on it). */
export function checkContract(exchanges: readonly Exchange[]): ContractReport {
  const dir = mkdtempSync(join(tmpdir(), 'zuora-contract-'));
  try {
    const file = join(dir, 'exchanges.json');
    writeFileSync(file, JSON.stringify(exchanges, null, 2));
    const run = spawnSync(process.env.PYTHON ?? 'python3', [CHECKER, '--sdk', SDK_SITE, file], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: '' },
    });
    if (run.status !== 0 && run.status !== 1) {
      throw new Error(
        `zuora_contract.py failed (exit ${run.status}; run npm run pretest?): ${run.stderr || run.error}`,
      );
    }
    return JSON.parse(run.stdout) as ContractReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
