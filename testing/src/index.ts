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
