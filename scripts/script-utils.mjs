// What the ensure-* scripts share: the project root, a quiet-able log line, and an executable check.
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `[name] message` on stderr, unless the script was given --quiet. */
export function scriptLogger(name) {
  const quiet = process.argv.includes('--quiet');
  return (msg) => {
    if (!quiet) process.stderr.write(`[${name}] ${msg}\n`);
  };
}

export function isExecutable(p) {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
