export { eventually } from './eventually.js';
export { describeIfReachable } from './reachable.js';
export { edgeApp, publish, startProbe, testComponents, type Received } from './sidecar-harness.js';
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
export { freePort } from '@flock/sidecar';
