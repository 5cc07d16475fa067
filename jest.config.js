/** @type {import('jest').Config} */
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  rootDir: __dirname,
  setupFiles: ['<rootDir>/test/support/load-stack-env.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
};

// Suites that load onnxruntime-node (the embedding model) in the test process need the main
// realm's typed arrays; see test/support/main-realm-typed-arrays.ts.
const withEngines = {
  ...base,
  setupFiles: [...base.setupFiles, '<rootDir>/test/support/main-realm-typed-arrays.ts'],
};

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/{src,workflows,workers,infra,cli,client}/**/*.spec.ts'],
    },
    {
      ...withEngines,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
    },
    { ...withEngines, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    // The console's journeys in Debian's Chromium (test/browser/support/browser.ts); npm test runs
    // them after the other projects.
    {
      ...base,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
    },
  ],
};
