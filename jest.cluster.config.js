// `npm run test:cluster` (issue 15, point 3): the opt-in suite against a production Temporal server with PostgreSQL
// (test/cluster). Its files end in .cluster.ts, which the default jest.config.js (`*.test.ts`) does not match, so
// `npm test` never starts it. One file at a time: it starts its own PostgreSQL, server and worker processes.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 120000,
  maxWorkers: 1,
};
