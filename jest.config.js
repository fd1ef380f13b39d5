/**
 * One jest run for everything. Unit tests (sync rules, emulator contracts) need nothing external;
 * the global setup starts one Temporal dev server and one database for the integration tests and
 * builds the workflow bundle once (see test/global-setup.ts).
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // The embedded PostgreSQL serves one connection at a time: one test worker unless DATABASE_URL is set.
  maxWorkers: process.env.DATABASE_URL ? 2 : 1,
  testTimeout: 60_000,
};
