// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins (bare or `node:`), no I/O.
const nodeBuiltins = builtinModules.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.temporal/**', '.zuora-sdk/**', '.data/**', 'coverage/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins
            .filter((m) => !m.endsWith('/*'))
            .map((name) => ({
              name,
              message: 'Workflow code is sandboxed: Node built-ins are not deterministic.',
            })),
          patterns: [
            {
              group: nodeBuiltins.filter((m) => m.endsWith('/*')),
              message: 'Workflow code is sandboxed: Node built-ins are not deterministic.',
            },
            {
              group: ['**/activities', '**/activities/*', '!**/activities/types'],
              message: 'Import activities into workflows as types only (import type).',
              allowTypeImports: true,
            },
            {
              group: [
                '**/emulators/*',
                '**/zuora/client*',
                '**/netsuite/client*',
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
              ],
              message: 'Workflow code may not import I/O modules.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable', require: 'readonly' },
    },
  },
);
