/**
 * Dapr Components: one state store per service named `<svc>-store` and scoped to that app-id
 * (no service can read another's data), one `pubsub` for all, a per-pod `broadcast` for
 * notifications and gateways, and the secret store.
 */
import { BROADCAST_PUBSUB } from '@flock/kit';
import type { KubeObject, SocialPlatform } from '../types.js';
import { PUBSUB_BACKENDS, metadata, stateBackendFor, stateOf } from './backends.js';
import { childMeta, enabledServices } from './meta.js';

export const PUBSUB_NAME = 'pubsub';
/** Reaches every replica of a subscriber: notifications push to SSE streams held in memory. */
export const BROADCAST_NAME = BROADCAST_PUBSUB;
/** The apps on the broadcast pub/sub: its subscribers and users, which publishes revocations. */
const BROADCAST_APPS: readonly string[] = ['notifications', 'gateway', 'users'];
export const SECRET_STORE_NAME = 'secretstore';
/** In Kubernetes mode daprd resolves `secretKeyRef`s through this built-in store. */
const K8S_SECRETS = 'kubernetes';

function component(
  platform: SocialPlatform,
  name: string,
  spec: object,
  scopes: string[],
): KubeObject {
  return {
    apiVersion: 'dapr.io/v1alpha1',
    kind: 'Component',
    metadata: childMeta(platform, name),
    spec,
    auth: { secretStore: K8S_SECRETS },
    scopes,
  };
}

export function render(platform: SocialPlatform): KubeObject[] {
  const { pubsub } = platform.spec.backends;
  const services = enabledServices(platform);
  const stores = services.map((svc) => {
    const state = stateOf(platform.spec, svc);
    const backend = stateBackendFor(state.type, svc);
    return component(
      platform,
      `${svc}-store`,
      {
        type: backend.type,
        version: backend.version,
        metadata: metadata(backend, state.secretRef.name, svc),
      },
      [svc],
    );
  });
  const bus = component(
    platform,
    PUBSUB_NAME,
    {
      type: PUBSUB_BACKENDS[pubsub.type].type,
      version: PUBSUB_BACKENDS[pubsub.type].version,
      metadata: metadata(PUBSUB_BACKENDS[pubsub.type], pubsub.secretRef.name),
    },
    services,
  );
  // Same broker, but each pod is its own consumer group ({podName}), so all replicas get each
  // event: notifications push to their SSE streams, gateways forget revoked sessions (users
  // publishes those).
  const broadcastScopes = services.filter((svc) => BROADCAST_APPS.includes(svc));
  const broadcast = broadcastScopes.some((svc) => svc !== 'users')
    ? [
        component(
          platform,
          BROADCAST_NAME,
          {
            type: PUBSUB_BACKENDS[pubsub.type].type,
            version: PUBSUB_BACKENDS[pubsub.type].version,
            metadata: [
              ...metadata(PUBSUB_BACKENDS[pubsub.type], pubsub.secretRef.name),
              { name: 'consumerID', value: '{podName}' },
            ],
          },
          broadcastScopes,
        ),
      ]
    : [];
  const secrets = component(
    platform,
    SECRET_STORE_NAME,
    { type: 'secretstores.kubernetes', version: 'v1', metadata: [] },
    services,
  );
  return [...stores, bus, ...broadcast, secrets];
}
