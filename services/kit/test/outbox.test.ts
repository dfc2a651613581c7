import { startSidecar, parseComponents, type Sidecar } from '@flock/sidecar';
import {
  Dapr,
  baseConfigSchema,
  consumeOnce,
  createLogger,
  createService,
  domainEvent,
  loadConfig,
  on,
  WriteConflict,
  type DeliveredEvent,
  type RunningService,
} from '../src/index.js';

const logger = createLogger('outbox-test', 'silent');

const COMPONENTS = `
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: store }
spec: { type: state.in-memory, version: v1, metadata: [] }
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: { name: pubsub }
spec: { type: pubsub.in-memory, version: v1, metadata: [] }
`;

/** A kit service (the consumer) wired to a real sidecar, the way the runner wires them. */
describe('outbox and consume-once through a real sidecar', () => {
  let sidecar: Sidecar;
  let consumer: RunningService;
  let dapr: Dapr;
  const received: Array<DeliveredEvent<{ userId: string }>> = [];
  const applied: string[] = [];

  beforeAll(async () => {
    const port = 0;
    const pending = createService({
      config: loadConfig(baseConfigSchema, {
        APP_ID: 'outbox-test',
        APP_PORT: String(port),
        APP_HOST: '127.0.0.1',
      }),
      logger,
      subscriptions: [
        on('user.registered', async (event) => {
          received.push(event);
          const outcome = await consumeOnce(dapr.state('store'), event.id, async () => [
            { operation: 'upsert', key: `seen:${event.data.userId}`, value: { at: event.time } },
          ]);
          if (outcome === 'applied') applied.push(event.id);
        }),
      ],
    });
    consumer = await pending.start();
    sidecar = await startSidecar({
      appId: 'outbox-test',
      app: { host: '127.0.0.1', port: consumer.port },
      httpPort: 0,
      components: parseComponents(COMPONENTS, 'test.yaml'),
      logLevel: 'silent',
    });
    await sidecar.connectApp();
    dapr = new Dapr(
      loadConfig(baseConfigSchema, { APP_ID: 'outbox-test', DAPR_HTTP_PORT: String(sidecar.port) }),
      logger,
    );
  });

  afterAll(async () => {
    await consumer.stop();
    await sidecar.stop();
    await dapr.close();
  });

  const until = async (check: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const event = (userId: string) =>
    domainEvent(
      'user.registered',
      { userId, username: userId, email: `${userId}@example.com`, at: new Date().toISOString() },
      `evt-${userId}`,
    );

  test('when a write commits, then its event is delivered with the event id as CloudEvent id and the outbox is empty', async () => {
    const state = dapr.state('store');
    const outbox = dapr.outbox(state, logger);
    await outbox.commit(
      [{ operation: 'upsert', key: 'user:a', value: { kind: 'user' } }],
      [event('a')],
    );
    await until(() => received.some((e) => e.id === 'evt-a'));
    expect((await state.get('user:a'))?.value).toEqual({ kind: 'user' });
    expect(await outbox.pending()).toEqual([]);
  });

  test('when the write fails, then neither the state nor the event exists', async () => {
    const state = dapr.state('store');
    await state.save('user:b', { v: 1 });
    const stale = { operation: 'upsert' as const, key: 'user:b', value: { v: 2 }, etag: '999999' };
    const outbox = dapr.outbox(state, logger);
    await expect(outbox.commit([stale], [event('b')])).rejects.toThrow(WriteConflict);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.some((e) => e.id === 'evt-b')).toBe(false);
    expect(await outbox.pending()).toEqual([]);
  });

  test('when publishing fails after the commit, then the relay publishes the leftover record later', async () => {
    const state = dapr.state('store');
    const failing = new (await import('../src/dapr/outbox.js')).Outbox(
      state,
      async () => {
        throw new Error('broker down');
      },
      logger,
    );
    await failing.commit([{ operation: 'upsert', key: 'user:c', value: {} }], [event('c')]);
    const left = await failing.pending();
    expect(left.map((p) => p.record.events.map((e) => e.id))).toEqual([['evt-c']]);
    const relay = dapr.outbox(state, logger);
    expect(await relay.relay(0)).toBe(1);
    await until(() => received.some((e) => e.id === 'evt-c'));
    expect(await relay.pending()).toEqual([]);
  });

  test('when another writer holds the slot a commit picked, then the commit takes another and both records survive', async () => {
    const state = dapr.state('store');
    const down = async () => {
      throw new Error('broker down');
    };
    const { Outbox } = await import('../src/dapr/outbox.js');
    // A ring of two slots and two writers: the second must step around the first one's record.
    const first = new Outbox(state, down, logger, 2);
    const second = new Outbox(state, down, logger, 2);
    await first.commit([{ operation: 'upsert', key: 'user:e', value: {} }], [event('e')]);
    await second.commit([{ operation: 'upsert', key: 'user:f', value: {} }], [event('f')]);
    const ids = (await first.pending()).flatMap((p) => p.record.events.map((e) => e.id));
    expect(ids.sort()).toEqual(['evt-e', 'evt-f']);
    // The ring is full now: a third write is refused as a 503, not taken for a lost race.
    await expect(
      second.commit([{ operation: 'upsert', key: 'user:g', value: {} }], [event('g')]),
    ).rejects.toMatchObject({ status: 503 });
    expect(await state.get('user:g')).toBeUndefined();
    expect(await dapr.outbox(state, logger).relay(0)).toBeGreaterThanOrEqual(2);
  });

  test('when the same event is delivered twice, then its effect is applied once', async () => {
    await dapr.publish(event('d'));
    await dapr.publish(event('d'));
    await until(() => received.filter((e) => e.id === 'evt-d').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let both handlers finish
    expect(applied.filter((id) => id === 'evt-d')).toHaveLength(1);
  });
});
