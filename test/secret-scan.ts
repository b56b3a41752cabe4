// Run at the end of every jest run (global-teardown.ts): every event of every workflow history the suite produced on
// the shared dev server, the exported histories of the time-skipping servers and every log file of the run
// (test/helpers/scan-sink.ts) are searched for the secrets the tests configure (the emulators' client secret and TBA
// secrets). One hit fails the run. Histories are read through the `temporal` CLI; payload data (base64 in its JSON
// output) is decoded and searched too.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadTemporalBinaries } from '../src/temporal/binaries';

/** Written by test/platform/secret-scan.test.ts into TEST_SCAN_DIR: a value it printed on the console. */
export const CONSOLE_CANARY_FILE = 'console-canary.txt';

/**
 * Secret-shaped values an operator might paste into step data (issue 16 point 3). test/upgrade/message-flood sends
 * them as completeStep updates; the validator refuses them, so they must never appear in a history or a log.
 */
export const STEP_DATA_SECRET_CANARIES = [
  'sk_live_' + 'canary0step0data0refused',
  'xoxb-' + '000000000000-canary-step-data',
  'ghp_' + 'canary0step0data0refused0000000000',
  'AKIA' + 'CANARY0STEPDATA0',
  'eyJhbGciOiJIUzI1NiJ9' + '.eyJjYW5hcnkiOiJzdGVwLWRhdGEifQ.c2lnbmF0dXJlLWNhbmFyeQ',
  'Bearer ' + 'canary0step0data0refused',
  'q7Xv2LmZ9kT4wR8nB3yH6cJ1fD5gS0aP', // high entropy, no known prefix
];

/**
 * Secrets that the misconfiguration tests (test/platform/start.test.ts) hand to `npm start` in the places where they
 * used to be echoed (issue 16, point 3): none may appear in any output of the run.
 */
export const MISCONFIGURATION_CANARIES = {
  /** A 32-byte AES key (base64), written key-first in PAYLOAD_CODEC_KEYS. */
  codecKey: Buffer.from('canary-codec-key-never-printed!!').toString('base64'),
  /** The password of a URL with credentials. */
  urlPassword: 'canary-url-password-3c1d',
  /** The path of a Slack webhook: the path is the secret. */
  webhookPath: 'T0CANARY/B0CANARY/canaryWebhookPath7e2a',
  /** A key pasted into TEMPORAL_ADDRESS. */
  addressKey: 'canary-address-key-5b9f',
  /** A Temporal API key that must not go out over plaintext. */
  apiKey: 'canary-temporal-api-key-a41c',
};

export const CONFIGURED_SECRETS = [
  'demo-client-secret',
  'emulator-consumer-secret-000000000000000000000000000000000000',
  'emulator-token-secret-0000000000000000000000000000000000000000',
  ...STEP_DATA_SECRET_CANARIES,
  ...Object.values(MISCONFIGURATION_CANARIES),
];

export async function scanHistoriesForSecrets(client: Client, address: string, secrets = CONFIGURED_SECRETS) {
  const cli = loadTemporalBinaries().cli.path!;
  const runs: { workflowId: string; runId: string }[] = [];
  for await (const w of allExecutions(client)) runs.push(w);
  let events = 0;
  const hit: boolean[] = [];
  // A few `temporal workflow show` at a time: one after the other, a run's hundred-odd histories cost a CLI start
  // each in series. Every history is still read whole and searched the same way.
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < runs.length; i = next++) {
      const json = await showHistory(cli, address, client.options.namespace, runs[i]!);
      events += (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
      const text = json + '\n' + decodedPayloads(json);
      hit[i] = secrets.some((s) => text.includes(s));
    }
  };
  await Promise.all(Array.from({ length: HISTORY_READERS }, reader));
  const hits = runs.filter((_, i) => hit[i]).map((w) => `${w.workflowId} (${w.runId})`);
  return { histories: runs.length, events, hits };
}

const HISTORY_READERS = 4;

/** One run's history as the `temporal` CLI prints it (JSON). */
function showHistory(
  cli: string,
  address: string,
  namespace: string,
  w: { workflowId: string; runId: string },
): Promise<string> {
  const args = ['workflow', 'show', '--workflow-id', w.workflowId, '--run-id', w.runId, '--output', 'json'];
  const child = spawn(cli, [...args, '--address', address, '--namespace', namespace], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`temporal workflow show ${w.workflowId}: ${stderr}`)),
    );
  });
}

/**
 * Every file under `dir` (logs as written, exported histories with their payloads decoded), searched for the
 * secrets. Returns the files with a hit.
 */
export function scanFilesForSecrets(dir: string, secrets = CONFIGURED_SECRETS) {
  let files = 0;
  let bytes = 0;
  const hits: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) {
        walk(path);
        continue;
      }
      const raw = readFileSync(path, 'utf8');
      files++;
      bytes += raw.length;
      const text = name.endsWith('.json') ? raw + '\n' + decodedPayloads(raw) : raw;
      if (secrets.some((s) => text.includes(s))) hits.push(path);
    }
  };
  walk(dir);
  return { files, bytes, hits };
}

/** Every base64 `data` field of a history's JSON, decoded: that is where payloads (inputs, results) are. */
export function decodedPayloads(historyJson: string): string {
  return [...historyJson.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)]
    .map((m) => Buffer.from(m[1]!, 'base64').toString('utf8'))
    .join('\n');
}

/**
 * Every execution's ids through the raw visibility API: the SDK's list() would try to decode memos, and the codec
 * tests leave encrypted ones that this scan is not meant to read.
 */
async function* allExecutions(client: Client): AsyncGenerator<{ workflowId: string; runId: string }> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: 1000,
      nextPageToken,
    });
    for (const e of page.executions ?? []) {
      if (e.execution?.workflowId && e.execution.runId)
        yield { workflowId: e.execution.workflowId, runId: e.execution.runId };
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}
