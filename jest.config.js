// One transformer and three projects. ts-jest only transpiles here (tsconfig's isolatedModules): `npm test`
// type-checks the whole tree with tsc first, once, instead of once per test file.
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const project = (displayName, testMatch, extra = {}) => ({ displayName, testMatch, transform, testEnvironment: 'node', ...extra });

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', ['<rootDir>/**/*.test.ts'], {
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    }),
    project('integration', ['<rootDir>/**/*.int.test.ts']),
    project('e2e', ['<rootDir>/**/*.e2e.test.ts']),
  ],
  testTimeout: 60_000,
  // On two cores Jest would run every file in its own process, whose heap then grows file after file
  // (each stack's modules, tracing and browser clients) until it runs out; with a limit the files run
  // in a worker that is replaced whenever a file leaves it above 1 GB.
  workerIdleMemoryLimit: '1GB',
};
