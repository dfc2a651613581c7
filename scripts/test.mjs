#!/usr/bin/env node
/**
 * `npm test`: every suite on the embedded profile and Flock's own sidecar, then the whole-platform
 * suites on the real daprd on every local profile (the daprd matrix).
 *   npm test                      both
 *   npm test -- <jest args>       only the first run, with those jest arguments
 *   npm run test:daprd [-- P...]  only the matrix, on profiles P (default: all four)
 * Without a daprd the matrix is skipped with a message; with CI=true that is a failure. Runs on one
 * profile go one at a time (their servers are shared: see testing/src/backends.ts); two profiles
 * run side by side. The last line totals every run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findDaprd } from '../runner/dist/daprd.js';

const PROFILES = ['postgres-redis', 'postgres-rabbitmq', 'postgres-jetstream', 'postgres-mqtt'];
/** The suites that start the whole platform through testing's startTestPlatform. */
const PLATFORM_SUITES = [
  'services/gateway/test/platform.e2e.test.ts',
  'services/users/test/accounts.e2e.test.ts',
  'services/notifications/test/notifications.e2e.test.ts',
  'services/search/test/search.e2e.test.ts',
  'services/gateway/test/keep-alive.e2e.test.ts',
  'runner/test/supervision.e2e.test.ts',
  'runner/test/chaos.e2e.test.ts',
  'web/test/browser.e2e.test.ts',
  'services/gateway/test/readme.e2e.test.ts',
];
const PROFILES_AT_ONCE = 2;

const JEST = [
  '--experimental-vm-modules',
  '--no-warnings=ExperimentalWarning',
  'node_modules/jest/bin/jest.js',
];

const [mode, ...rest] = process.argv.slice(2);
const out = await mkdtemp(path.join(tmpdir(), 'flock-test-results-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
let failedRuns = 0;

async function jest(name, args, env = {}) {
  const json = path.join(out, `${name.replace(/\W+/g, '-')}.json`);
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...JEST, ...args, '--json', `--outputFile=${json}`], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    child.on('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  try {
    const result = JSON.parse(await readFile(json, 'utf8'));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
  } catch {
    totals.failed += 1; // jest died before it could report
  }
  if (code !== 0) failedRuns += 1;
  console.log(`::: ${name}: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
}

async function daprdMatrix(profiles) {
  if (!findDaprd()) {
    const message =
      'daprd not found: the daprd matrix is skipped (build it: bash scripts/dapr/build-daprd.sh)';
    console.log(`::: ${message}`);
    if (process.env.CI === 'true') failedRuns += 1;
    totals.skipped += profiles.length * PLATFORM_SUITES.length;
    return;
  }
  const queue = [...profiles];
  const lane = async () => {
    for (let profile = queue.shift(); profile; profile = queue.shift()) {
      await jest(`${profile} on daprd`, ['--runInBand', ...PLATFORM_SUITES], {
        FLOCK_TEST_RUNTIME: 'daprd',
        FLOCK_TEST_PROFILE: profile,
      });
    }
  };
  await Promise.all(Array.from({ length: PROFILES_AT_ONCE }, lane));
}

if (mode === '--daprd-matrix') {
  await daprdMatrix(rest.length ? rest : PROFILES);
} else {
  const jestArgs = mode ? [mode, ...rest] : [];
  await jest("embedded profile on Flock's sidecar", jestArgs);
  if (jestArgs.length === 0) await daprdMatrix(PROFILES);
}
await rm(out, { recursive: true, force: true });
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedRuns === 0 ? 0 : 1);
