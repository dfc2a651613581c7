// The web workspace's jest suites (unit tests and the browser end-to-end test), run from the
// repository root: `npm test -w web`. Client code is compiled with the web tsconfig (DOM
// types, JSX); the browser test, which starts the platform from source, with the root one.
/** @type {import('jest').Config} */
export default {
  rootDir: '..',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/web/test/**/*.test.ts'],
  transform: {
    '^.+/web/(src|scripts|test/unit)/.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: '<rootDir>/web/tsconfig.test.json' },
    ],
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  moduleNameMapper: {
    '^@flock/kit$': '<rootDir>/services/kit/src/index.ts',
    '^@flock/sidecar$': '<rootDir>/sidecar/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30_000,
  maxWorkers: 2,
};
