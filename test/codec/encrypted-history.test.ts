// Encrypted payloads on the real dev server: a migrateCreditMemos dry run through a worker and client configured
// (as npm start configures them) with PAYLOAD_CODEC_KEYS. The history, read by the `temporal` CLI with no codec,
// holds ciphertext only; after rotating to a new key (old one kept) the old history still reads (result, memo,
// query replayed by a new worker); a client without the new key fails naming it; the codec server lets the CLI see
// the plaintext (its refusals are in codec-server.test.ts).
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startCodecServer } from '../../src/codec/codec-server';
import { codecFromConfig, dataConverterFromConfig } from '../../src/codec/data-converter';
import { loadConfig, Secret } from '../../src/config';
import { progressQuery, type MigrateCreditMemosResult } from '../../src/shared/migration';
import { createWorker } from '../../src/worker';
import { migrateCreditMemos } from '../../src/workflows/migrate-credit-memos';
import { startStack, type Stack } from '../helpers/stack';
import { devServerEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { showHistory, temporalCli } from '../helpers/temporal-cli';

// Distinctive values that appear only inside payloads (input, result, memo, activity arguments).
const TENANT = `codec${randomBytes(4).toString('hex')}`;
const MEMO_MARKER = `memo-marker-${randomBytes(4).toString('hex')}`;
const PLAINTEXT = [TENANT, MEMO_MARKER, 'sampleSize', 'stoppedBecause', 'dryRun'];

const key = () => randomBytes(32).toString('base64');
const k1 = key();
const k2 = key();
const configV1 = loadConfig({ PAYLOAD_CODEC_KEYS: `k1:${k1}` });
const configV2 = loadConfig({ PAYLOAD_CODEC_KEYS: `k1:${k1},k2:${k2}`, PAYLOAD_CODEC_CURRENT_KEY_ID: 'k2' });

let env: TestWorkflowEnvironment;
let stack: Stack;
const taskQueue = uniqueTaskQueue('codec');
const namespace = () => env.namespace ?? 'default';

beforeAll(async () => {
  env = await devServerEnv();
  stack = await startStack({ tenantId: TENANT });
  stack.zuoraEmulator.admin.seed({ migratedCreditMemos: 40, otherCreditMemos: 5 });
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

function clientWith(config: typeof configV1 | undefined): Client {
  return new Client({
    connection: env.connection,
    namespace: namespace(),
    dataConverter: config ? dataConverterFromConfig(config) : undefined,
  });
}

async function workerWith(config: typeof configV1, client: Client): Promise<Worker> {
  return createWorker({
    connection: env.nativeConnection,
    namespace: namespace(),
    taskQueue,
    activities: stack.activities(client, taskQueue),
    workflowBundle: workflowBundle(),
    dataConverter: dataConverterFromConfig(config),
  });
}

type JsonPayload = { metadata?: Record<string, string>; data?: string };
const PATCH_MARKER = 'core_patch';

/** The details of every patch marker: what the codec does not see must hold nothing but patch ids. */
function patchMarkerTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => patchMarkerTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.markerName === PATCH_MARKER) out.push(JSON.stringify(o.details));
    else for (const v of Object.values(o)) patchMarkerTexts(v, out);
  }
  return out;
}

/**
 * Every payload in a history (as the CLI prints it), except search attributes (the server must index those) and the
 * SDK's own patch markers (`patched()`): their details, written by the SDK core below the codec, hold only the patch id
 * — code identifiers, no tenant data (checked below).
 */
function payloadsOf(node: unknown, out: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(node)) node.forEach((n) => payloadsOf(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.markerName === PATCH_MARKER) return out;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in (o.metadata as object))
      out.push(o as JsonPayload);
    else for (const [k, v] of Object.entries(o)) if (k !== 'searchAttributes') payloadsOf(v, out);
  }
  return out;
}
const text = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64').toString('utf8');

async function runDryRun(client: Client, workflowId: string): Promise<MigrateCreditMemosResult> {
  return client.workflow.execute(migrateCreditMemos, {
    taskQueue,
    workflowId,
    args: [{ tenantId: TENANT, dryRun: true, sampleSize: 3 }],
    memo: { requestedBy: MEMO_MARKER },
  });
}

const idV1 = `codec-history-${randomBytes(4).toString('hex')}`;
const idV2 = `codec-history-${randomBytes(4).toString('hex')}`;
let resultV1: MigrateCreditMemosResult;

test('what the server stores is ciphertext: every payload is binary/encrypted under k1, no plaintext anywhere', async () => {
  const client = clientWith(configV1);
  const worker = await workerWith(configV1, client);
  resultV1 = await worker.runUntil(runDryRun(client, idV1));
  expect(resultV1).toMatchObject({ tenantId: TENANT, dryRun: true, remaining: 40 });

  const history = await showHistory(idV1);
  const payloads = payloadsOf(history);
  // input, memo, result, and each activity's input and result
  expect(payloads.length).toBeGreaterThanOrEqual(5);
  for (const marker of patchMarkerTexts(history)) {
    for (const plain of PLAINTEXT) expect(marker).not.toContain(plain);
  }
  for (const p of payloads) {
    expect(text(p.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(p.metadata?.['encryption-key-id'])).toBe('k1');
    for (const plain of PLAINTEXT) expect(text(p.data)).not.toContain(plain);
  }
  const raw = JSON.stringify(history);
  for (const plain of PLAINTEXT) expect(raw).not.toContain(plain);

  // A client without the key cannot read it either.
  await expect(clientWith(undefined).workflow.getHandle(idV1).result()).rejects.toThrow(/binary\/encrypted/);
});

test('after rotating to k2 (k1 kept), the k1 history still reads: result, memo and a query replayed by a new worker', async () => {
  const client = clientWith(configV2);
  const worker = await workerWith(configV2, client);
  await worker.runUntil(async () => {
    const handle = client.workflow.getHandle(idV1);
    expect(await handle.result()).toEqual(resultV1);
    expect((await handle.describe()).memo).toEqual({ requestedBy: MEMO_MARKER });
    // A closed workflow's query is answered by replaying its (k1) history on this (k1+k2) worker.
    expect(await handle.query(progressQuery)).toMatchObject({ dryRun: true });

    // New histories are written with k2.
    await runDryRun(client, idV2);
  });
  const keyIds = payloadsOf(await showHistory(idV2)).map((p) => text(p.metadata?.['encryption-key-id']));
  expect(new Set(keyIds)).toEqual(new Set(['k2']));
});

test('a client that lacks the key a payload names fails with an error naming that key id', async () => {
  await expect(clientWith(configV1).workflow.getHandle(idV2).result()).rejects.toThrow(
    /encryption key id "k2" is not configured \(configured: k1\)/,
  );
});

test('the codec server lets the temporal CLI (given the token) read the plaintext', async () => {
  const token = randomBytes(24).toString('hex');
  const server = await startCodecServer({
    codec: codecFromConfig(configV2)!,
    token: new Secret(token),
    corsOrigins: [],
    port: 0,
  });
  try {
    const decoded = payloadsOf(
      await showHistory(idV1, ['--codec-endpoint', server.url, '--codec-auth', `Bearer ${token}`]),
    );
    expect(new Set(decoded.map((p) => text(p.metadata?.encoding)))).toEqual(new Set(['json/plain']));
    const plain = decoded.map((p) => text(p.data)).join('\n');
    expect(plain).toContain(`"tenantId":"${TENANT}"`);
    expect(plain).toContain(MEMO_MARKER);
  } finally {
    await server.stop();
  }
});

test('a query without arguments through the temporal CLI and the codec server is answered (the CLI sends {})', async () => {
  const token = randomBytes(24).toString('hex');
  const server = await startCodecServer({
    codec: codecFromConfig(configV2)!,
    token: new Secret(token),
    corsOrigins: [],
    port: 0,
  });
  const client = clientWith(configV2);
  const worker = await workerWith(configV2, client);
  try {
    // A closed workflow's query is answered by replaying its history on this worker.
    const r = await worker.runUntil(
      temporalCli([
        'workflow',
        'query',
        '--workflow-id',
        idV1,
        '--name',
        progressQuery.name,
        '--codec-endpoint',
        server.url,
        '--codec-auth',
        `Bearer ${token}`,
        '--output',
        'json',
      ]),
    );
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/"dryRun":\s*true/);
  } finally {
    await server.stop();
  }
});
