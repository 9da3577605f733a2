// One transformer (swc: fast, no type check; `npm test` runs tsc first) and three projects.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
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
};
