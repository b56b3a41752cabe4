// A jest reporter: the console output of every test file (jest buffers it in its workers and hands it to the
// reporters) is appended to this run's logs, for the end-of-run secret scan (test/global-teardown.ts). Wrapping
// console.* inside the tests would do the same but make jest print the wrapper as every line's origin.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export default class LogCaptureReporter {
  onTestResult(_test, result) {
    const dir = process.env.TEST_SCAN_DIR;
    if (!dir || !result.console || result.console.length === 0) return;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    appendFileSync(
      join(dir, 'logs', 'jest-console.log'),
      result.console.map((entry) => `${entry.type} ${entry.origin ?? ''}\n${entry.message}\n`).join(''),
    );
  }
}
