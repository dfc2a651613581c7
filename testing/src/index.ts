export { eventually } from './eventually.js';
export { describeIfReachable } from './reachable.js';
export {
  edgeApp,
  freePort,
  publish,
  startProbe,
  testComponents,
  type Received,
} from './sidecar-harness.js';
export {
  TEST_PASSWORD,
  startTestPlatform,
  type Answer,
  type Session,
  type TestPlatform,
} from './platform.js';
