// Runs in every test file (jest `setupFiles`): whatever is written straight to stdout/stderr in a test process
// (the Runtime logger's printed lines, console output when jest prints it at once) is also appended to this run's
// logs, which the end-of-run secret scan searches. Console output jest buffers reaches them through
// test/log-capture-reporter.mjs.
import { appendLog } from './helpers/scan-sink';

const name = `jest-${process.pid}`;

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    appendLog(name, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
