export { eventually } from './eventually.js';
export { describeIfReachable } from './reachable.js';
export {
  callerDapr,
  edgeApp,
  publish,
  startProbe,
  testComponents,
  type Probe,
  type Received,
} from './sidecar-harness.js';
export { client, expectProblem, type User } from './service-client.js';
export {
  TEST_PASSWORD,
  startTestPlatform,
  platformLabel,
  testProfile,
  testRuntime,
  type Answer,
  type Session,
  type TestPlatform,
  type TestPlatformOptions,
} from './platform.js';
export { purgeBackends } from './backends.js';
export { dropTable, findRealPostgres } from './postgres.js';
export {
  startServiceUnderTest,
  type ServiceUnderTest,
  type ServiceUnderTestOptions,
} from './service-under-test.js';
export { freePort } from '@flock/runner';
