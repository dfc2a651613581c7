/**
 * Dapr Components, named by the kit's constants (the services use the same): one state store
 * per service (`stateStoreOf(svc)`) scoped to that app-id (no service can read another's data),
 * one `PUBSUB` for all, a per-pod `BROADCAST_PUBSUB` (reaching every replica: notifications push
 * to SSE streams held in memory) for notifications and gateways, and the `SECRET_STORE`.
 */
import { APP_IDS, BROADCAST_PUBSUB, PUBSUB, SECRET_STORE, stateStoreOf } from '@flock/kit';
import type { KubeObject, SocialPlatform } from '../api/types.js';
import { PUBSUB_BACKENDS, metadata, stateBackendFor, stateOf } from './backends.js';
import { childMeta, enabledServices } from './meta.js';

/**
 * The apps on the broadcast pub/sub: its subscribers (notifications, gateway) and its publishers
 * (users: revocations; timeline: "these homes got posts").
 */
const BROADCAST_APPS: readonly string[] = [
  APP_IDS.notifications,
  APP_IDS.gateway,
  APP_IDS.users,
  APP_IDS.timeline,
];
/** Publishers only: a broadcast component is needed for them only if a subscriber runs too. */
const BROADCAST_PUBLISHERS: readonly string[] = [APP_IDS.users, APP_IDS.timeline];
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
  const apps = services.map((svc) => APP_IDS[svc]);
  const stores = services.map((svc) => {
    const state = stateOf(platform.spec, svc);
    const backend = stateBackendFor(state.type, svc);
    return component(
      platform,
      stateStoreOf(APP_IDS[svc]),
      {
        type: backend.type,
        version: backend.version,
        metadata: metadata(backend, state.secretRef.name, svc),
      },
      [APP_IDS[svc]],
    );
  });
  const bus = component(
    platform,
    PUBSUB,
    {
      type: PUBSUB_BACKENDS[pubsub.type].type,
      version: PUBSUB_BACKENDS[pubsub.type].version,
      metadata: metadata(PUBSUB_BACKENDS[pubsub.type], pubsub.secretRef.name),
    },
    apps,
  );
  // Same broker, but each pod is its own consumer group ({podName}), so all replicas get each
  // event: notifications push to their SSE streams, gateways forget revoked sessions (users
  // publishes those).
  const broadcastScopes = apps.filter((app) => BROADCAST_APPS.includes(app));
  const broadcast = broadcastScopes.some((app) => !BROADCAST_PUBLISHERS.includes(app))
    ? [
        component(
          platform,
          BROADCAST_PUBSUB,
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
    SECRET_STORE,
    { type: 'secretstores.kubernetes', version: 'v1', metadata: [] },
    apps,
  );
  return [...stores, bus, ...broadcast, secrets];
}
