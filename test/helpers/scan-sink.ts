// Everything the test run writes as logs, and the histories of servers that are gone by the end of the run, land in
// one folder (TEST_SCAN_DIR, made by global-setup.ts) so that global-teardown.ts can search all of it for the
// configured secrets: logs of in-process workers and tests, output of every spawned process (workers, `npm start`,
// the CLI), and the histories of time-skipping test servers (each file's server stops before the end of the run).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { LogLevel, LogMetadata } from '@temporalio/worker';

export function scanDir(): string | undefined {
  return process.env.TEST_SCAN_DIR;
}

export function logsDir(): string | undefined {
  const dir = scanDir();
  return dir ? join(dir, 'logs') : undefined;
}

export function historiesDir(): string | undefined {
  const dir = scanDir();
  return dir ? join(dir, 'histories') : undefined;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

let madeLogsDir: string | undefined;

/** Appends to this run's log file `name` (nothing outside a jest run). */
export function appendLog(name: string, text: string): void {
  const dir = logsDir();
  if (!dir) return;
  // Called for every log line: make the folder once per process, not on each write.
  if (madeLogsDir !== dir) {
    mkdirSync(dir, { recursive: true });
    madeLogsDir = dir;
  }
  appendFileSync(join(dir, `${safeName(name)}.log`), text);
}

/** Copies everything a child process prints into this run's log file `name`, as it prints it. */
export function captureChildOutput(child: ChildProcess, name: string): void {
  const write = (b: Buffer) => appendLog(name, b.toString());
  child.stdout?.on('data', write);
  child.stderr?.on('data', write);
}

/** One Runtime log entry as a line of this process's log file. */
export function logEntry(level: LogLevel, message: string, meta?: LogMetadata): void {
  appendLog(`jest-${process.pid}`, `${level} ${message}${meta ? ' ' + format('%j', meta) : ''}\n`);
}

/**
 * Writes every history on a time-skipping test server (it lists through the old open/closed visibility calls only)
 * into this run's histories folder. Call before its teardown.
 */
export async function exportHistories(env: TestWorkflowEnvironment, label: string): Promise<number> {
  const dir = historiesDir();
  if (!dir) return 0;
  mkdirSync(dir, { recursive: true });
  const svc = env.client.workflowService;
  const namespace = env.namespace ?? 'default';
  const executions = [
    ...((await svc.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1000 })).executions ?? []),
    ...((await svc.listClosedWorkflowExecutions({ namespace, maximumPageSize: 1000 })).executions ?? []),
  ];
  let n = 0;
  for (const e of executions) {
    const { workflowId, runId } = e.execution ?? {};
    if (!workflowId || !runId) continue;
    const events: unknown[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await svc.getWorkflowExecutionHistory({
        namespace,
        execution: { workflowId, runId },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    // Payload data are bytes: as base64, the same form the dev server scan decodes.
    const json = JSON.stringify({ events }, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    );
    writeFileSync(join(dir, `${safeName(label)}-${safeName(workflowId)}-${safeName(runId)}.json`), json);
    n++;
  }
  return n;
}
