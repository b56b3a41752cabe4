// Where the Temporal CLI (dev server) and the time-skipping test server live on this machine, as found or installed
// by scripts/ensure-temporal.mjs (which `npm start` and `npm test` run first).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const binarySchema = z.object({ path: z.string().nullable(), source: z.string() });
const pathsSchema = z.object({ cli: binarySchema, testServer: binarySchema });
export type TemporalBinaries = z.infer<typeof pathsSchema>;

/** The folder holding package.json, whether we run from src/ (jest) or dist/src/ (npm start). */
export const PROJECT_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export function loadTemporalBinaries(root = PROJECT_ROOT): TemporalBinaries {
  const file = join(root, '.temporal', 'paths.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} not found: run \`node scripts/ensure-temporal.mjs\` (npm start and npm test do this)`);
  }
  return pathsSchema.parse(JSON.parse(text));
}

/** The SDK's `server.executable` option: our binary if we have one, else the SDK's own (internet) download. */
export function executableFor(binary: TemporalBinaries['cli']) {
  return binary.path ? ({ type: 'existing-path', path: binary.path } as const) : ({ type: 'cached-download' } as const);
}
