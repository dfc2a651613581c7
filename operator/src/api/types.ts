/**
 * The SocialPlatform API as TypeScript: its names, and the types of spec and status inferred
 * from schema.ts. They describe an object that already passed the schema (defaults filled in:
 * zod's output view). Object metadata is Kubernetes', not the schema's, so it is written here.
 */
import { APP_IDS } from '@flock/kit';
import type { z } from 'zod';
import type { platformSpec, platformStatus } from './schema.js';

export const GROUP = 'flock.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'SocialPlatform';
export const PLURAL = 'socialplatforms';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const FIELD_MANAGER = 'flock-operator';

/** The services a platform may run, in the canonical order; each runs as the kit's app id. */
export type ServiceName = keyof typeof APP_IDS;
export const SERVICE_NAMES = Object.keys(APP_IDS) as readonly ServiceName[];

export type SocialPlatformSpec = z.infer<typeof platformSpec>;
export type SocialPlatformStatus = z.infer<typeof platformStatus>;
export type StateBackend = SocialPlatformSpec['backends']['state'];
export type Condition = NonNullable<SocialPlatformStatus['conditions']>[number];
export type ServiceStatus = NonNullable<NonNullable<SocialPlatformStatus['services']>[ServiceName]>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

// A type alias rather than an interface so it is assignable to KubeObject's index signature.
export type SocialPlatform = {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: SocialPlatformSpec;
  status?: SocialPlatformStatus;
};

/** Any Kubernetes object, as the renderers produce and the client returns them. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}
