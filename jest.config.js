/**
 * Two projects in one run. `unit` (sync rules, emulator contracts, pure helpers) needs nothing
 * external. `integration` gets one Temporal dev server, one database and one workflow bundle from its
 * global setup (test/global-setup.ts); jest runs that setup only when an integration test is selected,
 * so `npm test -- --selectProjects unit` stays fast.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit', '<rootDir>/test/emulators'], testMatch: ['**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/db', '<rootDir>/test/api', '<rootDir>/test/workflows', '<rootDir>/test/e2e'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  // The embedded PostgreSQL serves one connection at a time: one test worker unless DATABASE_URL is set.
  maxWorkers: process.env.DATABASE_URL ? 2 : 1,
  // End-to-end tests wait on real timers on a shared 2-core machine.
  testTimeout: 120_000,
};
