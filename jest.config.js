/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The unit layer runs first, on its own (jest.unit.config.js, `npm run test:unit`).
  testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/test/setup-log-capture.ts'],
  reporters: ['default', '<rootDir>/test/log-capture-reporter.mjs'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Longest files first (cached timing, else test/durations.json): the two workers finish together.
  testSequencer: '<rootDir>/test/sequencer.mjs',
  testTimeout: 120000,
  maxWorkers: 2,
};
