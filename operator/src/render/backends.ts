/**
 * How each backend type maps to Dapr component metadata. The connection comes from the user's
 * Secret by `secretKeyRef` only (never copied into the component); `secretKeys` lists what that
 * Secret must contain, which the reconciler checks before applying anything.
 */
import { SECRETS } from '@flock/kit';
import type { ServiceName, SocialPlatformSpec, StateBackend } from '../api/types.js';

type StateType = StateBackend['type'];
type PubsubType = SocialPlatformSpec['backends']['pubsub']['type'];

interface Backend {
  /** Dapr component type and version. */
  type: string;
  version: string;
  /** Component metadata name → key in the referenced Secret. */
  secretKeys: Record<string, string>;
  /** Plain (non-secret) metadata; `{svc}` becomes the service name. */
  values: Record<string, string>;
}

export const STATE_BACKENDS: Record<StateType, Backend> = {
  // daprd's v2 store. Table `<svc>_v2_state`: `<svc>_state` is the v1 table earlier releases of
  // this operator rendered for every service, and v2 cannot migrate over a v1 table.
  postgresql: {
    type: 'state.postgresql',
    version: 'v2',
    secretKeys: { connectionString: 'connectionString' },
    values: { tablePrefix: '{svc}_v2_', metadataTableName: '{svc}_dapr_metadata' },
  },
  redis: {
    type: 'state.redis',
    version: 'v1',
    secretKeys: { redisHost: 'redisHost', redisPassword: 'redisPassword' },
    values: { keyPrefix: 'appid' },
  },
  mongodb: {
    type: 'state.mongodb',
    version: 'v1',
    secretKeys: { connectionString: 'connectionString' },
    values: { databaseName: 'flock', collectionName: '{svc}' },
  },
};

export const PUBSUB_BACKENDS: Record<PubsubType, Backend> = {
  redis: {
    type: 'pubsub.redis',
    version: 'v1',
    secretKeys: { redisHost: 'redisHost', redisPassword: 'redisPassword' },
    values: {},
  },
  rabbitmq: {
    type: 'pubsub.rabbitmq',
    version: 'v1',
    secretKeys: { connectionString: 'connectionString' },
    values: { durable: 'true', deliveryMode: '2', enableDeadLetter: 'true' },
  },
  kafka: {
    type: 'pubsub.kafka',
    version: 'v1',
    secretKeys: { brokers: 'brokers' },
    values: { authType: 'none' },
  },
  jetstream: {
    type: 'pubsub.jetstream',
    version: 'v1',
    secretKeys: { natsURL: 'natsURL' },
    values: {},
  },
};

/**
 * Services that list their data through the state query API. daprd offers query on Postgres only
 * in its v1 store, so on Postgres these get v1 (their tables keep the names earlier releases used);
 * the local profiles run the same split.
 */
const QUERY_SERVICES: readonly ServiceName[] = ['users', 'posts', 'comments'];

const POSTGRES_V1: Backend = {
  ...STATE_BACKENDS.postgresql,
  version: 'v1',
  values: { tableName: '{svc}_state', metadataTableName: '{svc}_dapr_metadata' },
};

/** The state component a service gets on its backend type. */
export function stateBackendFor(type: StateType, svc: ServiceName): Backend {
  return type === 'postgresql' && QUERY_SERVICES.includes(svc) ? POSTGRES_V1 : STATE_BACKENDS[type];
}

/** Secrets the services read by name (the kit's SECRETS), and who needs them. */
const PLATFORM_SECRETS: ReadonlyArray<{ name: string; for: string }> = [
  { name: SECRETS.jwtPrivateKey, for: 'all services' },
  { name: SECRETS.jwtPublicKey, for: 'all services' },
  { name: SECRETS.postgresUrl, for: 'search' },
];

/** A service's state backend: its own, or the platform's. */
export function stateOf(spec: SocialPlatformSpec, svc: ServiceName): StateBackend {
  return spec.services[svc]?.state ?? spec.backends.state;
}

/** The keys each referenced Secret must hold, for the reconciler's pre-flight check. */
export function requiredSecretKeys(
  spec: SocialPlatformSpec,
): { secret: string; keys: string[]; for: string }[] {
  const { pubsub } = spec.backends;
  const states = [
    spec.backends.state,
    ...Object.values(spec.services).flatMap((s) => (s?.state ? [s.state] : [])),
  ];
  const needs = [
    ...states.map((s) => ({
      secret: s.secretRef.name,
      keys: Object.values(STATE_BACKENDS[s.type].secretKeys),
      for: `${s.type} state store`,
    })),
    {
      secret: pubsub.secretRef.name,
      keys: Object.values(PUBSUB_BACKENDS[pubsub.type].secretKeys),
      for: `${pubsub.type} pub/sub`,
    },
  ];
  // What the services themselves read through the secret store (daprd's Kubernetes store maps a
  // secret name to the Secret of that name): token keys always, a Postgres URL for search.
  const enabled = Object.keys(spec.services);
  needs.push(
    ...PLATFORM_SECRETS.filter((s) => s.for === 'all services' || enabled.includes(s.for)).map(
      (s) => ({
        secret: s.name,
        keys: [s.name],
        for: s.for === 'all services' ? 'access tokens' : `${s.for} service`, // "(for the search service)"
      }),
    ),
  );
  // Secrets other parts of the spec name: the sidecars' API token and the Ingress certificate.
  if (spec.dapr.apiTokenSecret)
    needs.push({ secret: spec.dapr.apiTokenSecret, keys: ['token'], for: 'Dapr API token' });
  if (spec.ingress?.tlsSecretName)
    needs.push({
      secret: spec.ingress.tlsSecretName,
      keys: ['tls.crt', 'tls.key'],
      for: 'Ingress TLS certificate',
    });
  // One check per Secret and backend type, however many services share it.
  return [...new Map(needs.map((n) => [`${n.secret}/${n.for}`, n])).values()];
}

/** Component `spec.metadata` for a backend. */
export function metadata(
  backend: Backend,
  secretName: string,
  svc = '',
): Record<string, unknown>[] {
  return [
    ...Object.entries(backend.secretKeys).map(([name, key]) => ({
      name,
      secretKeyRef: { name: secretName, key },
    })),
    ...Object.entries(backend.values).map(([name, value]) => ({
      name,
      value: value.replaceAll('{svc}', svc),
    })),
  ];
}
