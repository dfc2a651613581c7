// One jest run covers every workspace. Tests import workspace packages from source
// (the moduleNameMapper below), so a test never runs stale `dist/` output.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/{services/*,sidecar,runner,operator,load-tests,web}/test/**/*.test.ts'],
  transform: {
    // The web client compiles with its own tsconfig (DOM types, JSX); everything else, and the
    // browser test that starts the platform from source, with the root one.
    '^.+/web/(src|scripts|test/unit)/.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: '<rootDir>/web/tsconfig.test.json' },
    ],
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleNameMapper: {
    '^@flock/kit$': '<rootDir>/services/kit/src/index.ts',
    '^@flock/sidecar$': '<rootDir>/sidecar/src/index.ts',
    '^@flock/runner$': '<rootDir>/runner/src/index.ts',
    '^@flock/testing$': '<rootDir>/testing/src/index.ts',
    // A service's client (`@flock/posts/client`): services/<name>/src/client/<name>.client.ts.
    '^@flock/([a-z]+)/client$': '<rootDir>/services/$1/src/client/$1.client.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30_000,
  reporters: ['default', '<rootDir>/scripts/jest/summary-reporter.cjs'],
  // Suites start real servers on ephemeral ports; two workers fit this 2-core machine.
  maxWorkers: 2,
};
