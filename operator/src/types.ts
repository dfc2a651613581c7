/**
 * The SocialPlatform API as TypeScript types. `crd.ts` holds the schema the apiserver enforces;
 * these types describe an object that already passed it (defaults filled in).
 */
export const GROUP = 'flock.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'SocialPlatform';
export const PLURAL = 'socialplatforms';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const FIELD_MANAGER = 'flock-operator';

export const SERVICE_NAMES = [
  'gateway',
  'users',
  'follows',
  'posts',
  'comments',
  'timeline',
  'notifications',
  'search',
  'analytics',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const STATE_TYPES = ['postgresql', 'redis', 'mongodb'] as const;
export const PUBSUB_TYPES = ['redis', 'rabbitmq', 'kafka', 'jetstream'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export interface ResourceList {
  cpu?: string;
  memory?: string;
}
export interface Resources {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface ServiceSpec {
  replicas: number;
  /** A full image reference overriding `image.registry/<service>:image.tag` (the dev loop sets it). */
  image?: string;
  resources: Resources;
  /** This service's own state backend instead of `backends.state`. */
  state?: StateBackend;
  autoscaling: {
    enabled: boolean;
    minReplicas: number;
    maxReplicas: number;
    targetCPUUtilizationPercentage: number;
  };
}

export interface SecretRef {
  name: string;
}

export interface StateBackend {
  type: (typeof STATE_TYPES)[number];
  secretRef: SecretRef;
}

export interface SocialPlatformSpec {
  image: { registry: string; tag: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' };
  services: Partial<Record<ServiceName, ServiceSpec>>;
  backends: {
    state: StateBackend;
    pubsub: { type: (typeof PUBSUB_TYPES)[number]; secretRef: SecretRef };
    secretStore: { type: 'kubernetes' };
  };
  ingress?: { host: string; className?: string; tlsSecretName?: string };
  observability: {
    otlpEndpoint?: string;
    otlpInsecure: boolean;
    samplingRate: string;
    prometheusNamespace: string;
  };
  dapr: {
    logLevel: (typeof LOG_LEVELS)[number];
    sidecarResources: Resources;
    mtls: boolean;
    apiTokenSecret?: string;
  };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ServiceStatus {
  replicas: number;
  readyReplicas: number;
}

export interface SocialPlatformStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  services?: Partial<Record<ServiceName, ServiceStatus>>;
  /** "ready/total" for the printer column. */
  servicesReady?: string;
}

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
