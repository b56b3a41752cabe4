// Workflow code runs in Temporal's deterministic sandbox: ESLint refuses Node built-ins and I/O modules there.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const inWorkflows = 'src/workflows/lint-probe.ts';
const inActivities = 'src/activities/lint-probe.ts';

const refused = [
  "import { readFileSync } from 'fs';",
  "import { readFileSync } from 'node:fs';",
  "import { promisify } from 'node:util';",
  "import * as cp from 'child_process';",
  "import { ZuoraClient } from '../zuora/client';",
  "import { startZuoraEmulator } from '../../emulators/zuora/server';",
  "import { Client } from '@temporalio/client';",
  "import { createActivities } from '../activities';",
];
const allowed = [
  { code: "import type { Activities } from '../activities';\nexport type X = Activities;\n", filePath: inWorkflows },
  { code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", filePath: inActivities },
];
// src/shared is bundled into workflows too: the same ban applies there.
const inShared = {
  code: "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
  filePath: 'src/shared/lint-probe.ts',
};
const probes = [
  ...refused.map((code) => ({ code: `${code}\nexport const x = 1;\n`, filePath: inWorkflows })),
  ...allowed,
  inShared,
];

/**
 * The no-restricted-imports messages of the project's own ESLint for each probe, as if its code stood at its path.
 * One ESLint process (test/platform/lint-probe.mjs: its flat config is ESM) for all probes: a process per probe
 * loaded the config and typescript-eslint ten times over.
 */
let errors: string[][];
beforeAll(() => {
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'test', 'platform', 'lint-probe.mjs')], {
    cwd: PROJECT_ROOT,
    input: JSON.stringify(probes.map((p) => ({ code: p.code, filePath: join(PROJECT_ROOT, p.filePath) }))),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`lint-probe.mjs failed: ${r.stderr}`);
  const results = JSON.parse(r.stdout) as { ruleId: string | null; message: string }[][];
  errors = results.map((ms) => ms.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
});

test.each(refused.map((code, i) => [code, i] as const))('refused in src/workflows: %s', (_code, i) => {
  expect(errors[i]).toHaveLength(1);
});

test('type-only imports of activities are allowed in workflows, and Node built-ins elsewhere', () => {
  expect(errors[refused.length]).toEqual([]);
  expect(errors[refused.length + 1]).toEqual([]);
});

test('src/shared is bundled into workflows too: Node built-ins are refused there', () => {
  expect(errors[refused.length + allowed.length]).toHaveLength(1);
});
