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
  // Longest files first (cached timing, else test/durations.json): the workers finish together.
  testSequencer: '<rootDir>/test/sequencer.mjs',
  testTimeout: 120000,
  // 3 on CI's 2 cores: the files mostly wait (heartbeat timeouts, lease expiry, worker restarts, timers) rather than
  // compute. With 2 workers the whole run used 558 CPU-seconds in 510 s (1.1 of the 2 cores); the longest file, the
  // chaos run, 34 CPU-seconds in 99 s alone.
  maxWorkers: 3,
};
