// Workflow code runs in Temporal's deterministic sandbox: ESLint refuses Node built-ins and I/O modules there.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const inWorkflows = 'src/workflows/lint-probe.ts';
const inActivities = 'src/activities/lint-probe.ts';

/** The project's own ESLint (a process: its flat config is ESM), on code as if it were at `filePath`. */
async function importErrors(code: string, filePath: string): Promise<string[]> {
  const r = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'eslint'),
    ['--stdin', '--stdin-filename', filePath, '--format', 'json'],
    { cwd: PROJECT_ROOT, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test.each([
  "import { readFileSync } from 'fs';",
  "import { readFileSync } from 'node:fs';",
  "import { promisify } from 'node:util';",
  "import * as cp from 'child_process';",
  "import { ZuoraClient } from '../zuora/client';",
  "import { startZuoraEmulator } from '../../emulators/zuora/server';",
  "import { Client } from '@temporalio/client';",
  "import { createActivities } from '../activities';",
])('refused in src/workflows: %s', async (code) => {
  expect(await importErrors(`${code}\nexport const x = 1;\n`, inWorkflows)).toHaveLength(1);
});

test('type-only imports of activities are allowed in workflows, and Node built-ins elsewhere', async () => {
  expect(
    await importErrors("import type { Activities } from '../activities';\nexport type X = Activities;\n", inWorkflows),
  ).toEqual([]);
  expect(
    await importErrors("import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", inActivities),
  ).toEqual([]);
});

test('src/shared is bundled into workflows too: Node built-ins are refused there', async () => {
  expect(
    await importErrors(
      "import { createHash } from 'node:crypto';\nexport const h = createHash;\n",
      'src/shared/lint-probe.ts',
    ),
  ).toHaveLength(1);
});
