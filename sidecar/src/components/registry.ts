import { randomUUID } from 'node:crypto';
import type { Logger } from '@flock/kit';
import type { ComponentContext } from './context.js';
import type { ComponentDefinition } from './load.js';
import { ComponentMetadata } from './metadata.js';
import type { StateStore } from '../state/store.js';
import { InMemoryStateStore } from '../state/in-memory.js';
import { createPostgresStateStore } from '../state/postgresql.js';
import { createRedisStateStore } from '../state/redis.js';
import { createRedisPubSub } from '../pubsub/redis.js';
import { createRabbitMqPubSub } from '../pubsub/rabbitmq.js';
import { createJetStreamPubSub } from '../pubsub/jetstream.js';
import { createMqttPubSub } from '../pubsub/mqtt.js';
import { EtagError } from '../state/store.js';
import { emptyResiliency, PolicyRunner, retryDelayMs, type Resiliency } from '../resiliency.js';
import { KNOWN_METADATA } from './known-metadata.js';
import { resolveKeyPrefix } from '../state/keys.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { connectInMemoryPubSub } from '../pubsub/in-memory.js';
import { backoffMs, retryPolicyFrom, type InboundRetry } from '../pubsub/retry.js';
import type { SecretStore } from '../secrets/store.js';
import { createLocalEnvSecretStore } from '../secrets/local-env.js';
import { createLocalFileSecretStore } from '../secrets/local-file.js';

type Factory<T> = (ctx: ComponentContext) => Promise<T> | T;

/** Adding a backend = one file implementing the interface + one line here. */
const STATE_STORES: Record<string, Factory<StateStore>> = {
  'state.in-memory': () => new InMemoryStateStore(),
  'state.postgresql': createPostgresStateStore,
  'state.redis': createRedisStateStore,
};
const PUBSUBS: Record<string, Factory<PubSub>> = {
  'pubsub.in-memory': (ctx) => connectInMemoryPubSub(ctx.name, ctx.logger),
  'pubsub.redis': createRedisPubSub,
  'pubsub.rabbitmq': createRabbitMqPubSub,
  'pubsub.jetstream': createJetStreamPubSub,
  'pubsub.mqtt3': createMqttPubSub,
};
const SECRET_STORES: Record<string, Factory<SecretStore>> = {
  'secretstores.local.env': createLocalEnvSecretStore,
  'secretstores.local.file': createLocalFileSecretStore,
};

export interface ComponentInfo {
  name: string;
  type: string;
  version: string;
  capabilities: string[];
}
export interface LoadedStateStore extends ComponentInfo {
  store: StateStore;
  keyPrefix: string;
}
export interface LoadedPubSub extends ComponentInfo {
  pubsub: PubSub;
  consumerId: string;
  /** Delivery retries: the Resiliency inbound policy when there is one, else the defaults. */
  retry: InboundRetry;
}
export interface LoadedSecretStore extends ComponentInfo {
  store: SecretStore;
}

export interface Components {
  state: Map<string, LoadedStateStore>;
  pubsub: Map<string, LoadedPubSub>;
  secrets: Map<string, LoadedSecretStore>;
  all(): ListedComponent[];
  close(): Promise<void>;
}

/**
 * Initialises the components this app-id may load (`scopes`), secret stores first so other
 * components can resolve `secretKeyRef`s through them. Any problem is a startup error naming the
 * file, the component and the field; components already started are closed again.
 */
export async function initComponents(
  defs: ComponentDefinition[],
  appId: string,
  logger: Logger,
  resiliency: Resiliency = emptyResiliency(),
): Promise<Components> {
  const mine = defs.filter((d) => d.scopes.length === 0 || d.scopes.includes(appId));
  const seen = new Set<string>();
  for (const d of mine) {
    if (!(d.type in STATE_STORES || d.type in PUBSUBS || d.type in SECRET_STORES)) {
      const known = [
        ...Object.keys(STATE_STORES),
        ...Object.keys(PUBSUBS),
        ...Object.keys(SECRET_STORES),
      ];
      throw new Error(
        `${origin(d)}: unknown component type "${d.type}" (supported: ${known.join(', ')})`,
      );
    }
    if (seen.has(d.name))
      throw new Error(`${origin(d)}: a component named "${d.name}" is already defined`);
    seen.add(d.name);
  }

  const components: Components = {
    state: new Map(),
    pubsub: new Map(),
    secrets: new Map(),
    all: () =>
      [
        ...components.state.values(),
        ...components.pubsub.values(),
        ...components.secrets.values(),
      ].map(info),
    close: async () => {
      const closing = [...components.state.values()].map((s) => s.store.close());
      closing.push(...[...components.pubsub.values()].map((p) => p.pubsub.close()));
      await Promise.allSettled(closing);
    },
  };
  const context = async (d: ComponentDefinition): Promise<ComponentContext> => {
    const known = KNOWN_METADATA[d.type];
    if (known) {
      const allowed = new Set(known.map((k) => k.toLowerCase()));
      // daprd ignores fields a component does not know, so the sidecar does too; it only warns,
      // since a misspelt field silently taking its default is the usual cause.
      for (const item of d.metadata) {
        if (!allowed.has(item.name.toLowerCase()))
          logger.warn(
            `${origin(d)}: unknown metadata field "${item.name}" is ignored (known: ${known.join(', ')})`,
          );
      }
    }
    return {
      name: d.name,
      version: d.version,
      appId,
      logger: logger.child({ component: d.name }),
      metadata: new ComponentMetadata(
        origin(d),
        await resolveMetadata(d, appId, components.secrets),
      ),
    };
  };

  try {
    for (const d of mine.filter((c) => c.type in SECRET_STORES)) {
      const store = await (SECRET_STORES[d.type] as Factory<SecretStore>)(await context(d));
      components.secrets.set(d.name, { ...base(d, []), store });
    }
    for (const d of mine.filter((c) => c.type in STATE_STORES)) {
      const ctx = await context(d);
      const keyPrefix = resolveKeyPrefix(ctx.metadata.get('keyPrefix'), d.name, appId);
      if (keyPrefix.includes('||'))
        throw new Error(`${origin(d)}: keyPrefix must not contain "||"`);
      // Refused, not ignored: a store that silently published nothing would lose every event.
      if (ctx.metadata.get('outboxPublishPubsub'))
        throw new Error(
          `${origin(d)}: Flock's sidecar does not run daprd's transactional outbox ` +
            '("outboxPublishPubsub"); Flock\'s services publish through the kit\'s outbox ' +
            '(docs/architecture.md, "Events"); run this component on daprd',
        );
      const store = await (STATE_STORES[d.type] as Factory<StateStore>)(ctx);
      // daprd (runtime.go getComponentsCapabilitesMap): any store with ETAG and TRANSACTIONAL is ACTOR-capable.
      const actor =
        store.features.includes('ETAG') && store.features.includes('TRANSACTIONAL')
          ? ['ACTOR']
          : [];
      const outbound = resiliency.outbound.get(d.name);
      components.state.set(d.name, {
        ...base(d, [...store.features, ...actor]),
        store: outbound ? guardedStore(store, new PolicyRunner(outbound)) : store,
        keyPrefix,
      });
    }
    for (const d of mine.filter((c) => c.type in PUBSUBS)) {
      const ctx = await context(d);
      const defaults = retryPolicyFrom(ctx.metadata, d.type);
      const inbound = resiliency.inbound.get(d.name);
      const retry: InboundRetry = inbound
        ? {
            maxRetries: inbound.retry
              ? inbound.retry.maxRetries < 0
                ? Infinity
                : inbound.retry.maxRetries
              : 0,
            delayMs: (attempt) => (inbound.retry ? retryDelayMs(inbound.retry, attempt) : 0),
            ...(inbound.timeoutMs ? { timeoutMs: inbound.timeoutMs } : {}),
            fromPolicy: true,
          }
        : {
            maxRetries: defaults.maxRetries,
            delayMs: (a) => backoffMs(defaults, a),
            fromPolicy: false,
          };
      const outbound = resiliency.outbound.get(d.name);
      const raw = await (PUBSUBS[d.type] as Factory<PubSub>)(ctx);
      const pubsub = outbound ? guardedPubSub(raw, new PolicyRunner(outbound)) : raw;
      const consumerId = ctx.metadata.string('consumerID', appId);
      components.pubsub.set(d.name, {
        ...base(d, [...pubsub.features]),
        pubsub,
        consumerId,
        retry,
      });
    }
  } catch (err) {
    await components.close();
    throw err;
  }
  return components;
}

/** Values, `envRef`s and `secretKeyRef`s → plain strings, with Dapr's template tags expanded. */
async function resolveMetadata(
  d: ComponentDefinition,
  appId: string,
  secrets: Map<string, LoadedSecretStore>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of d.metadata) {
    const where = `${origin(d)} metadata "${item.name}"`;
    if (item.secretKeyRef) {
      if (!d.secretStore)
        throw new Error(`${where}: secretKeyRef needs auth.secretStore on the component`);
      const store = secrets.get(d.secretStore);
      if (!store)
        throw new Error(`${where}: secret store "${d.secretStore}" is not loaded for this app`);
      const { name, key = name } = item.secretKeyRef;
      const value = (
        await store.store.get(name).catch((err: Error) => {
          throw new Error(`${where}: secret "${name}" from "${d.secretStore}": ${err.message}`);
        })
      )[key];
      if (value === undefined) throw new Error(`${where}: secret "${name}" has no key "${key}"`);
      out[item.name] = value;
    } else if (item.envRef) {
      if (item.envRef === 'APP_API_TOKEN' || item.envRef.startsWith('DAPR_')) {
        throw new Error(`${where}: envRef may not read ${item.envRef}`);
      }
      out[item.name] = process.env[item.envRef] ?? '';
    } else {
      out[item.name] = expandTemplates(item.value ?? '', appId);
    }
  }
  return out;
}

function expandTemplates(value: string, appId: string): string {
  const namespace = process.env.NAMESPACE ? `${process.env.NAMESPACE}.${appId}` : appId;
  return value
    .replaceAll('{uuid}', () => randomUUID())
    .replaceAll('{appID}', appId)
    .replaceAll('{podName}', appId)
    .replaceAll('{namespace}', namespace);
}

function origin(d: ComponentDefinition): string {
  return `${d.file} component "${d.name}" (${d.type})`;
}

function base(d: ComponentDefinition, capabilities: string[]): ComponentInfo {
  return { name: d.name, type: d.type, version: d.version, capabilities };
}

/** As daprd's metadata API lists it: no `capabilities` field when there are none. */
export type ListedComponent = Omit<ComponentInfo, 'capabilities'> & { capabilities?: string[] };

function info(c: ComponentInfo): ListedComponent {
  return {
    name: c.name,
    type: c.type,
    version: c.version,
    ...(c.capabilities.length ? { capabilities: c.capabilities } : {}),
  };
}

const isEtagError = (err: unknown): boolean => err instanceof EtagError;

/** Outbound Resiliency policy around every call to a state store. */
function guardedStore(store: StateStore, runner: PolicyRunner): StateStore {
  const guarded: StateStore = {
    features: store.features,
    get: (key) => runner.run(() => store.get(key)),
    set: (req) => runner.run(() => store.set(req), isEtagError),
    delete: (req) => runner.run(() => store.delete(req), isEtagError),
    transact: (ops) => runner.run(() => store.transact(ops), isEtagError),
    close: () => store.close(),
  };
  if (store.bulkGet) guarded.bulkGet = (keys) => runner.run(() => store.bulkGet!(keys));
  if (store.query) guarded.query = (prefix, q) => runner.run(() => store.query!(prefix, q));
  return guarded;
}

/** Outbound Resiliency policy around publishing. */
function guardedPubSub(pubsub: PubSub, runner: PolicyRunner): PubSub {
  return {
    features: pubsub.features,
    publish: (msg) => runner.run(() => pubsub.publish(msg)),
    subscribe: (req, handler) => pubsub.subscribe(req, handler),
    close: () => pubsub.close(),
  };
}
