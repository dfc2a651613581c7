export { startSidecar, type Sidecar, type SidecarOptions } from './sidecar.js';
export type { AppAddress } from './app-channel.js';
export {
  loadComponents,
  parseComponents,
  plainValue,
  type ComponentDefinition,
  type MetadataItem,
} from './components/load.js';
export type { StateStore } from './state/store.js';
export type { PubSub } from './pubsub/pubsub.js';
export type { SecretStore } from './secrets/store.js';
export {
  startPlatform,
  profileFolder,
  type Platform,
  type PlatformOptions,
} from './runner/platform.js';
export type { Runtime, RuntimeChoice } from './runner/runtimes.js';
export { FLOCK_TOPICS } from './runner/provision.js';
export { freePort } from './runner/ports.js';
export { createThrowawayDatabase, type ThrowawayDatabase } from './runner/throwaway-database.js';
export { ms, summarize, timed, type LatencySummary } from './bench/stats.js';
export { loadResiliency, type Resiliency } from './resiliency.js';
