// The fast layer (`npm run test:unit`): only `*.unit.test.ts` — pure functions and MockActivityEnvironment, no
// Temporal server, no emulator, no network — so no global set-up/teardown. The log capture stays: it needs no server
// (it writes nothing outside a run that set TEST_SCAN_DIR).
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: base.testEnvironment,
  roots: base.roots,
  testMatch: ['**/*.unit.test.ts'],
  transform: base.transform,
  setupFiles: base.setupFiles,
  testTimeout: 20000,
  maxWorkers: 2,
};
