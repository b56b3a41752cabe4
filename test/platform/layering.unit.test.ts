// Imports go one way (issue 13 point 3; eslint.config.mjs, `layers`): shared ← clients ← temporal ← activities ←
// worker; workflows import only shared code and activity types; the emulators only src/shared and src/http; src/
// loads the emulators only through a dynamic import(). Each rule is shown a wrong-way import (reported) and a
// right-way one (not reported), linted as if the code stood at that path — with the project's own ESLint config.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

type Probe = { at: string; code: string };
type Message = { ruleId: string | null; message: string };

/** The layering errors ESLint reports for each probe (one ESLint process for all of them). */
function lint(probes: Probe[]): Message[][] {
  const r = spawnSync(process.execPath, [join(ROOT, 'test', 'platform', 'lint-probe.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(
      probes.map((p) => ({ filePath: join(ROOT, p.at), code: `${p.code}\nexport const x = 1;\n` })),
    ),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`lint-probe.mjs failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Message[][]).map((ms) => ms.filter((m) => m.ruleId === 'no-restricted-imports'));
}

const wrongWay: [string, Probe][] = [
  ['src/shared imports a client', { at: 'src/shared/p.ts', code: "import { ZuoraClient } from '../zuora/client';" }],
  ['src/shared imports the emulators', { at: 'src/shared/p.ts', code: "import { a } from '../../emulators/zuora';" }],
  ['src/http imports a client', { at: 'src/http/p.ts', code: "import { ZuoraClient } from '../zuora/client';" }],
  ['a client imports another client', { at: 'src/zuora/p.ts', code: "import { a } from '../netsuite/client';" }],
  ['a client imports activities', { at: 'src/netsuite/p.ts', code: "import { a } from '../activities';" }],
  ['src/notifier imports src/temporal', { at: 'src/notifier/p.ts', code: "import { a } from '../temporal/x';" }],
  ['src/reports imports workflows', { at: 'src/reports/p.ts', code: "import { a } from '../workflows/x';" }],
  ['src/codec imports the top (config)', { at: 'src/codec/p.ts', code: "import { A } from '../config';" }],
  ['src/temporal imports activities', { at: 'src/temporal/p.ts', code: "import { a } from '../activities';" }],
  ['activities import the CLI', { at: 'src/activities/p.ts', code: "import { a } from '../client/schedules';" }],
  ['activities import workflows', { at: 'src/activities/p.ts', code: "import { a } from '../workflows/x';" }],
  [
    'activities two folders down import the worker',
    { at: 'src/activities/sync/p.ts', code: "import { a } from '../../worker';" },
  ],
  ['the tenant registry imports activities', { at: 'src/tenants/p.ts', code: "import { a } from '../activities';" }],
  ['the CLI imports activities', { at: 'src/client/p.ts', code: "import { a } from '../activities';" }],
  ['the CLI imports a client', { at: 'src/client/commands/p.ts', code: "import { a } from '../../zuora/client';" }],
  [
    "the CLI imports workflows' runtime code",
    { at: 'src/client/commands/p.ts', code: "import { upgrade } from '../../workflows/x';" },
  ],
  ['workflows import a client', { at: 'src/workflows/p.ts', code: "import { a } from '../zuora/schemas';" }],
  ['workflows import a type of a client', { at: 'src/workflows/p.ts', code: "import type { A } from '../zuora/x';" }],
  ['workflows import activities as values', { at: 'src/workflows/p.ts', code: "import { a } from '../activities';" }],
  [
    'workflows one folder down import activities as values',
    { at: 'src/workflows/upgrade/p.ts', code: "import { a } from '../../activities/sync';" },
  ],
  ['workflows import src/temporal', { at: 'src/workflows/p.ts', code: "import { a } from '../temporal/x';" }],
  ['workflows import a Node built-in', { at: 'src/workflows/p.ts', code: "import { readFileSync } from 'node:fs';" }],
  [
    'the emulators import a client',
    { at: 'emulators/zuora/p.ts', code: "import { ZuoraClient } from '../../src/zuora/client';" },
  ],
  [
    'the emulators, deeper, import activities',
    { at: 'emulators/zuora/routes/p.ts', code: "import { a } from '../../../src/activities';" },
  ],
  [
    'the emulators import the NetSuite client',
    { at: 'emulators/netsuite/p.ts', code: "import { a } from '../../src/netsuite/client';" },
  ],
  ['wiring imports the emulators statically', { at: 'src/wiring.ts', code: "import { a } from '../emulators/zuora';" }],
  ['main imports src/emulators statically', { at: 'src/main.ts', code: "import { a } from './emulators/zuora';" }],
];

const rightWay: [string, Probe][] = [
  ['src/shared imports src/shared', { at: 'src/shared/p.ts', code: "import { a } from './text';" }],
  ['a client imports src/http and src/shared', { at: 'src/zuora/p.ts', code: "import { a } from '../http/x';" }],
  ['src/temporal imports a client', { at: 'src/temporal/p.ts', code: "import { a } from '../zuora/client';" }],
  ['the tenant registry imports the settings', { at: 'src/tenants/p.ts', code: "import { a } from '../config';" }],
  [
    'activities two folders down import src/temporal',
    { at: 'src/activities/sync/p.ts', code: "import { a } from '../../temporal/schedules';" },
  ],
  ['the CLI imports src/temporal', { at: 'src/client/cli/p.ts', code: "import { a } from '../../temporal/x';" }],
  [
    "the CLI imports a workflow's type",
    { at: 'src/client/commands/p.ts', code: "import type { Upgrade } from '../../workflows/x';" },
  ],
  ['workflows import activity types', { at: 'src/workflows/p.ts', code: "import type { A } from '../activities';" }],
  [
    'workflows one folder down import shared and workflow files',
    { at: 'src/workflows/upgrade/p.ts', code: "import { a } from '../../shared/upgrade';\nimport { b } from '../x';" },
  ],
  [
    'the emulators import src/shared and src/http',
    {
      at: 'emulators/zuora/routes/p.ts',
      code: "import { a } from '../../../src/shared/x';\nimport { b } from '../../common';",
    },
  ],
  [
    'the NetSuite emulator imports the field ids and the OAuth 1.0 signer',
    {
      at: 'emulators/netsuite/p.ts',
      code: "import { a } from '../../src/netsuite/fields';\nimport { b } from '../../src/netsuite/oauth1';",
    },
  ],
  ['the codec takes the config type', { at: 'src/codec/p.ts', code: "import type { A } from '../config';" }],
  ['the CLI reads the config', { at: 'src/client/cli/p.ts', code: "import { a } from '../../config';" }],
  ['wiring takes the emulators types', { at: 'src/wiring.ts', code: "import type { A } from '../emulators/zuora';" }],
  [
    'wiring loads the emulators with a dynamic import()',
    { at: 'src/wiring.ts', code: "export const load = () => import('../emulators/zuora');" },
  ],
  ['the worker imports activities', { at: 'src/worker.ts', code: "import { a } from './activities';" }],
];

let reported: Message[][];

beforeAll(() => {
  reported = lint([...wrongWay, ...rightWay].map(([, p]) => p));
}, 60_000);

test.each(wrongWay.map(([name, p], i) => [name, p, i] as const))('reported: %s', (_name, _probe, i) => {
  expect(reported[i]).toHaveLength(1);
});

test.each(rightWay.map(([name, p], i) => [name, p, wrongWay.length + i] as const))(
  'allowed: %s',
  (_name, _probe, i) => {
    expect(reported[i]).toEqual([]);
  },
);
