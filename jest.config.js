/**
 * `npm test` is the fast tier (TEST_TIER=fast, a few minutes): unit, domain, database, client,
 * simulator, API and workflow tests, three at a time (they mostly wait on their servers). It
 * leaves out what runs the whole local stack as processes (e2e, chaos, browser, dev), the
 * model-based and bench-report suites, the tests that stop, slow or secure the servers under the
 * engine (outages, TLS proxies, graceful shutdown, tracing exporters), and the regression tests
 * of FerretDB's own patches. `npm run check` (CI) runs every test, two at a time.
 */
const FAST_TIER_LEAVES_OUT = [
  '/test/(e2e|chaos|browser|model|dev|bench)/',
  '/test/api/(temporal-down|database-down|graceful-shutdown|webhooks-e2e)\\.test\\.ts$',
  '/test/workflows/(ticket-db-outage|slow-connectwise|tracing)\\.test\\.ts$',
  '/test/temporal/(secured-connection|lifecycle-client)\\.test\\.ts$',
  '/test/observability/(tracing|request-trace)\\.test\\.ts$',
  '/test/db/ferretdb-[a-z-]+\\.test\\.ts$',
];
const FAST = process.env.TEST_TIER === 'fast';

/** @type {import('jest').Config} */
module.exports = {
  testPathIgnorePatterns: ['/node_modules/', ...(FAST ? FAST_TIER_LEAVES_OUT : [])],
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/'],
  testTimeout: 60_000,
  maxWorkers: FAST ? 3 : 2,
  setupFiles: ['<rootDir>/test/support/quiet-temporal.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};
