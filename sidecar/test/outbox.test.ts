import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { Sidecar } from '../src/index.js';
import { dropTable, findRealPostgres } from './support/postgres.js';
import { holdServersDuringSuite, reachable, SERVERS } from './support/servers.js';
import { componentYaml, startTestSidecar } from './support/sidecars.js';
import { json, TestApp, type Received } from './support/test-app.js';
import { describeIfReachable, eventually } from '@flock/testing';

const realPostgres = await findRealPostgres();
const run = randomBytes(4).toString('hex');
const tablePrefix = `outbox_${run}_`;
const redisPrefix = `outbox-${run}`;

interface Store {
  name: string;
  reachable: boolean;
  what: string;
  metadata: Record<string, string>;
  type: string;
  version: string;
  /** Survives a sidecar restart (the crash test needs it). */
  durable: boolean;
  cleanup(): Promise<void>;
}

const stores: Store[] = [
  {
    name: 'state.in-memory',
    reachable: true,
    what: 'nothing',
    type: 'state.in-memory',
    version: 'v1',
    metadata: {},
    durable: false,
    cleanup: async () => undefined,
  },
  {
    name: 'state.postgresql v2',
    reachable: realPostgres !== undefined,
    what: 'Postgres at 127.0.0.1:5432 (database "test")',
    type: 'state.postgresql',
    version: 'v2',
    metadata: { connectionString: realPostgres ?? '', tablePrefix },
    durable: true,
    cleanup: () => dropTable(realPostgres as string, `${tablePrefix}state`),
  },
  {
    name: 'state.redis',
    reachable: reachable.redis,
    what: `Redis at ${SERVERS.redis}`,
    type: 'state.redis',
    version: 'v1',
    metadata: { redisHost: SERVERS.redis, keyPrefix: redisPrefix },
    durable: true,
    cleanup: async () => {
      const redis = new Redis({ host: '127.0.0.1', port: 6379 });
      const keys = await redis.keys(`${redisPrefix}||*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  },
];

for (const store of stores) {
  describeIfReachable(store.reachable, store.what)(`transactional outbox on ${store.name}`, () => {
    const PUBSUB = `outbox-bus-${randomUUID().slice(0, 8)}`;
    const TOPIC = 'user.events';
    if (store.type === 'state.redis') holdServersDuringSuite();
    const bus = componentYaml(PUBSUB, 'pubsub.in-memory');
    const storeYaml = componentYaml(
      'users-store',
      store.type,
      { ...store.metadata, outboxPublishPubsub: PUBSUB, outboxPublishTopic: TOPIC },
      store.version,
    );
    const consumer = new TestApp({
      'GET /dapr/subscribe': () => json([{ pubsubname: PUBSUB, topic: TOPIC, route: '/events' }]),
      'POST /events': () => json({ status: 'SUCCESS' }),
    });
    let subscriber: Sidecar;
    let publisher: Sidecar;
    const events = (): Array<Record<string, unknown>> =>
      consumer.calls('POST', '/events').map((r: Received) => JSON.parse(r.body));
    const transact = (sidecar: Sidecar, operations: unknown[]): Promise<Response> =>
      fetch(`${sidecar.url}/v1.0/state/users-store/transaction`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ operations }),
      });
    const startPublisher = (hook?: () => Promise<void>) =>
      startTestSidecar(`${storeYaml}---\n${bus}`, {
        appId: 'users',
        ...(hook ? { afterOutboxCommit: hook } : {}),
      });

    beforeAll(async () => {
      await consumer.start();
      subscriber = await startTestSidecar(bus, {
        appId: 'timeline',
        app: { host: '127.0.0.1', port: consumer.port },
      });
      await subscriber.connectApp();
      publisher = await startPublisher();
    });

    afterAll(async () => {
      await publisher?.stop();
      await subscriber?.stop();
      await consumer.stop();
      await store.cleanup();
    });

    it('when a transaction commits, then each upsert is published as a CloudEvent from the app and deletes are not', async () => {
      const before = events().length;
      const res = await transact(publisher, [
        { operation: 'upsert', request: { key: 'u1', value: { id: 'u1', name: 'ann' } } },
        { operation: 'upsert', request: { key: 'u2', value: { id: 'u2', name: 'bob' } } },
        { operation: 'delete', request: { key: 'u0' } },
      ]);
      expect(res.status).toBe(204);
      const got = await eventually(() => (events().length >= before + 2 ? events() : undefined));
      expect(got.slice(before).map((e) => e.data)).toEqual(
        expect.arrayContaining([
          { id: 'u1', name: 'ann' },
          { id: 'u2', name: 'bob' },
        ]),
      );
      expect(got[before]).toMatchObject({
        source: 'users',
        type: 'com.dapr.event.sent',
        topic: TOPIC,
        pubsubname: PUBSUB,
        datacontenttype: 'application/json',
      });
      await sleep(200);
      expect(events()).toHaveLength(before + 2);
    });

    it('when a transaction fails (stale etag), then nothing is written and nothing is published', async () => {
      const before = events().length;
      const res = await transact(publisher, [
        { operation: 'upsert', request: { key: 'u3', value: { id: 'u3' } } },
        { operation: 'upsert', request: { key: 'u1', value: { id: 'u1' }, etag: '1-stale' } },
      ]);
      expect(res.status).toBe(500);
      await sleep(300);
      expect(events()).toHaveLength(before);
      expect((await fetch(`${publisher.url}/v1.0/state/users-store/u3`)).status).toBe(204);
    });

    if (store.durable) {
      it('when the sidecar dies between commit and publish, then the event is published once it restarts, with its id kept', async () => {
        const before = events().length;
        await publisher.stop();
        publisher = await startPublisher(async () => {
          throw new Error('simulated crash after commit');
        });
        const res = await transact(publisher, [
          { operation: 'upsert', request: { key: 'u9', value: { id: 'u9', name: 'zoe' } } },
        ]);
        expect(res.status).toBe(500); // the "crash": the caller never heard of success
        expect((await fetch(`${publisher.url}/v1.0/state/users-store/u9`)).status).toBe(200);
        await sleep(300);
        expect(events()).toHaveLength(before);
        await publisher.stop();
        publisher = await startPublisher();
        const [event] = await eventually(() => {
          const late = events().slice(before);
          return late.length > 0 ? late : undefined;
        });
        expect(event).toMatchObject({ source: 'users', data: { id: 'u9', name: 'zoe' } });
        expect(event?.id).toMatch(/^[0-9a-f-]{36}$/);
        await sleep(300);
        expect(events()).toHaveLength(before + 1);
      });
    }
  });
}

describe('outbox configuration', () => {
  it('when outboxPublishPubsub names a pub/sub that is not loaded, then startup fails naming the store', async () => {
    const yaml = componentYaml('users-store', 'state.in-memory', {
      outboxPublishPubsub: 'missing',
      outboxPublishTopic: 't',
    });
    await expect(startTestSidecar(yaml, { appId: 'users' })).rejects.toThrow(
      /state store "users-store": outboxPublishPubsub "missing"/,
    );
  });

  it('when a metadata field is unknown, then the component loads and ignores it, as daprd does', async () => {
    const yaml = componentYaml('bus', 'pubsub.in-memory', { consumerId2: 'x' });
    const sidecar = await startTestSidecar(yaml, { appId: 'users' });
    try {
      const meta = (await (await fetch(`${sidecar.url}/v1.0/metadata`)).json()) as {
        components: Array<{ name: string }>;
      };
      expect(meta.components.map((c) => c.name)).toEqual(['bus']);
    } finally {
      await sidecar.stop();
    }
  });
});
