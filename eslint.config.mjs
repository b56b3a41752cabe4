// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins (bare or `node:`), no I/O.
const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

/**
 * Imports go one way (issue 13 point 3): shared ← clients ← temporal ← activities ← worker; workflows import only
 * shared code, other workflow files and activity *types*. Each folder lists the folders (under its parent: `src`,
 * or the repository root for `emulators`) it may import; anything else that leaves the folder is an error.
 * Dynamic `import()` is not checked: main/wiring load the emulators lazily that way, only when no real API is set.
 * @type {{ dir: string, may: string[], types?: string[], why: string }[]}
 */
const clients = ['http', 'zuora', 'netsuite', 'notifier', 'reports', 'codec'];
const layers = [
  { dir: 'src/shared', may: [], why: 'src/shared imports nothing of ours' },
  { dir: 'src/http', may: ['shared'], why: 'clients import only src/shared and src/http' },
  ...clients
    .filter((c) => c !== 'http')
    .map((c) => ({
      dir: `src/${c}`,
      may: ['shared', 'http'],
      // The codec server takes its settings' type from the environment's schema (src/config.ts), nothing else.
      types: c === 'codec' ? ['config'] : [],
      why: 'clients import only src/shared and src/http',
    })),
  {
    dir: 'src/temporal',
    may: ['shared', ...clients],
    why: 'src/temporal (Temporal plumbing) imports only src/shared and the clients',
  },
  {
    dir: 'src/activities',
    may: ['shared', ...clients, 'temporal'],
    why: 'activities import only src/shared, the clients and src/temporal',
  },
  {
    dir: 'src/tenants',
    may: ['shared', ...clients, 'config'],
    why: 'the tenant registry imports only src/shared, the clients and the settings (src/config.ts)',
  },
  {
    dir: 'src/client',
    // src/config.ts is the environment's one schema: the CLI connects to Temporal with the worker's settings.
    may: ['shared', 'temporal', 'reports', 'codec', 'config'],
    types: ['workflows', 'activities'],
    why: "the operator CLI imports only src/shared, src/temporal, src/reports, src/codec (workflows' types only)",
  },
  {
    dir: 'src/workflows',
    may: ['shared'],
    types: ['activities'],
    why: 'workflow code imports only src/shared, other workflow files and activities as types (import type)',
  },
  // The emulators stand beside the product (top-level emulators/).
  {
    dir: 'emulators',
    // NetSuite's custom field ids (src/netsuite/fields.ts) are documented facts both sides need; the NetSuite
    // emulator verifies OAuth 1.0 signatures with our signer, which test/netsuite/oauth1 checks against oauth-1.0a.
    may: ['src/shared', 'src/http', 'src/netsuite/fields', 'src/netsuite/oauth1'],
    why: 'the emulators import only src/shared, src/http and NetSuite field ids and signing of the product',
  },
];

const alternatives = (names) => `(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`;

/** Workflow code runs in Temporal's deterministic sandbox: no Node built-ins (bare or `node:`), no I/O packages. */
const sandbox = {
  paths: nodeBuiltins
    .filter((m) => !m.endsWith('/*'))
    .map((name) => ({ name, message: 'Workflow code is sandboxed: Node built-ins are not deterministic.' })),
  patterns: [
    {
      group: nodeBuiltins.filter((m) => m.endsWith('/*')),
      message: 'Workflow code is sandboxed: Node built-ins are not deterministic.',
    },
    {
      group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
      message: 'Workflow code may not import I/O modules.',
      allowTypeImports: true,
    },
  ],
};

/**
 * One config object per folder and depth below it (no-restricted-imports sees the import as written, so a file k
 * folders down leaves its layer with k + 1 `../`). Files in src/ itself (main, worker, wiring, config) are the top:
 * they may import anything of src/, but the emulators only through a dynamic import().
 */
const layering = [
  ...layers.flatMap(({ dir, may, types = [], why }) =>
    [0, 1, 2, 3].map((k) => {
      const up = `^(?:\\.\\./){${k + 1}}`;
      const own = dir.split('/').pop();
      const patterns = [
        {
          regex: `${up}(?!${alternatives([own, ...may, ...types])}(?:/|$))`,
          message: `Layering: ${why}.`,
        },
      ];
      if (types.length > 0) {
        patterns.push({
          regex: `${up}${alternatives(types)}(?:/|$)`,
          message: `Layering: ${why}.`,
          allowTypeImports: true,
        });
      }
      // src/shared is bundled into the workflow sandbox too (workflows import it): the same ban applies.
      const sandboxed = dir === 'src/workflows' || dir === 'src/shared';
      return {
        files: [`${dir}/${'*/'.repeat(k)}*.ts`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              ...(sandboxed ? { paths: sandbox.paths } : {}),
              patterns: [...(sandboxed ? sandbox.patterns : []), ...patterns],
            },
          ],
        },
      };
    }),
  ),
  {
    files: ['src/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.{1,2}/emulators(?:/|$)',
              message: 'Layering: src/ loads the emulators only lazily, with a dynamic import(), never statically.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.temporal/**', '.zuora-sdk/**', '.data/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering,
  {
    // Jest's configs are CommonJS (jest.unit.config.js extends jest.config.js).
    files: ['jest*.config.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable', require: 'readonly' },
    },
  },
);
