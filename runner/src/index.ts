export { startPlatform, profileFolder, type Platform, type PlatformOptions } from './platform.js';
export type { Runtime, RuntimeChoice } from './runtimes.js';
export { FLOCK_TOPICS } from './provision.js';
export { freePort } from './ports.js';
export { findDaprd, startDaprd, type DaprdProcess } from './daprd.js';
export {
  startEmbeddedPostgres,
  startEmbeddedPostgresProcess,
  type EmbeddedPostgres,
} from './embedded-postgres.js';
export { createThrowawayDatabase, type ThrowawayDatabase } from './throwaway-database.js';
