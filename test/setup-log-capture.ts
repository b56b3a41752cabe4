// Runs in every test file (jest `setupFiles`): whatever a test or in-process code prints through the console or
// straight to stdout/stderr is also appended to this run's logs, which the end-of-run secret scan searches.
import { format } from 'node:util';
import { appendLog } from './helpers/scan-sink';

const name = `jest-${process.pid}`;

for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    appendLog(name, `${method} ${format(...args)}\n`);
    original(...args);
  };
}

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    appendLog(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
