import type { Logger } from '@flock/kit';
import type { ComponentMetadata } from './metadata.js';

/** What a component factory receives: its resolved metadata and who it serves. */
export interface ComponentContext {
  name: string;
  version: string;
  metadata: ComponentMetadata;
  appId: string;
  logger: Logger;
}
