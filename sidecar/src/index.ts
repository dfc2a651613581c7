export { startSidecar, type Sidecar, type SidecarOptions } from './sidecar.js';
export type { AppAddress } from './app-channel.js';
export {
  componentYaml,
  loadComponents,
  parseComponents,
  plainValue,
  type ComponentDefinition,
  type MetadataItem,
} from './components/load.js';
export type { StateStore } from './state/store.js';
export type { PubSub } from './pubsub/pubsub.js';
export type { SecretStore } from './secrets/store.js';
export { loadResiliency, type Resiliency } from './resiliency.js';
export { loadSubscriptions } from './pubsub/subscriptions.js';
export { ensureStream } from './pubsub/jetstream.js';
