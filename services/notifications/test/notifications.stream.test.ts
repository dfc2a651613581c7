import { randomUUID } from 'node:crypto';
import { notificationsConfigSchema } from '../src/notifications.config.js';
import { buildService, type NotificationsService } from '../src/notifications.service.js';
import { eventually, publish, startServiceUnderTest, type ServiceUnderTest } from '@flock/testing';
import { openStream, type SseClient } from './support/sse.js';

type Instance = ServiceUnderTest<NotificationsService>;

/**
 * The live stream, with TWO instances of the service, each behind its own sidecar. They share the
 * in-memory brokers of this process (platform pub/sub: one consumer group; broadcast: one group
 * per sidecar), so a notification stored by one instance reaches streams held by the other.
 * (Their in-memory state stores are separate; in a deployment they share one database.)
 */
describe('notifications stream (SSE) across two instances', () => {
  const HEARTBEAT_MS = 150;
  let a: Instance;
  let b: Instance;
  const open: SseClient[] = [];

  const startInstance = () =>
    startServiceUnderTest({
      appId: 'notifications',
      configSchema: notificationsConfigSchema,
      build: buildService,
      env: { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
    });

  beforeAll(async () => {
    a = await startInstance();
    b = await startInstance();
  });

  afterEach(() => {
    for (const stream of open.splice(0)) stream.close();
  });

  afterAll(async () => {
    for (const instance of [a, b]) {
      await instance?.stop();
    }
  });

  const as = (caller: string) => ({ 'x-flock-user-id': caller, 'x-flock-username': 'someone' });
  const stream = async (on: Instance, caller: string, headers: Record<string, string> = {}) => {
    const client = await openStream(`${on.running.url}/notifications/stream`, {
      ...as(caller),
      ...headers,
    });
    open.push(client);
    return client;
  };
  const create = async (on: Instance, userId: string, actorId = randomUUID()) => {
    const response = await fetch(`${on.running.url}/internal/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, type: 'follow', actorId }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; actorId: string };
  };
  /** The broadcast subscription is live once a push to a stream of this instance arrives. */
  const whenLive = async (on: Instance) => {
    const probe = randomUUID();
    const client = await stream(on, probe);
    await eventually(async () => {
      await create(on, probe);
      try {
        await client.next({ timeoutMs: 200 });
        return true;
      } catch {
        return undefined;
      }
    });
    client.close();
  };

  test('when a stream opens, then it is text/event-stream; without a caller 401, with a bad Last-Event-ID 400', async () => {
    const client = await stream(a, randomUUID());
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(client.headers.get('cache-control')).toContain('no-cache');
    expect((await fetch(`${a.running.url}/notifications/stream`)).status).toBe(401);
    expect((await stream(a, randomUUID(), { 'last-event-id': 'nope' })).status).toBe(400);
    expect(
      (await fetch(`${a.running.url}/notifications/stream?lastEventId=nope`, { headers: as('x') }))
        .status,
    ).toBe(400);
  });

  test('when a notification is created from an event, then an open stream receives it within a second, with its id', async () => {
    await whenLive(a);
    await whenLive(b);
    const [alice, bob] = [randomUUID(), randomUUID()];
    const clients = [await stream(a, alice), await stream(b, alice)];
    const sent = Date.now();
    await publish(a.sidecar, 'follow.created', {
      followerId: bob,
      followeeId: alice,
      at: new Date().toISOString(),
    });
    // whichever instance consumed the event, both streams of alice get it by broadcast
    for (const client of clients) {
      const event = await client.next({ timeoutMs: 1_000 });
      expect(Date.now() - sent).toBeLessThan(1_000);
      expect(event.event).toBe('notification');
      const data = JSON.parse(event.data!) as { id: string; type: string; actorId: string };
      expect(data).toMatchObject({ type: 'follow', actorId: bob });
      expect(event.id).toBe(data.id);
    }
  });

  test('when a notification is stored by one instance, then a stream held by the other receives it; other users see nothing', async () => {
    await whenLive(b);
    const [alice, carol] = [randomUUID(), randomUUID()];
    const onB = await stream(b, alice);
    const carolsOnB = await stream(b, carol);
    const created = await create(a, alice);
    const event = await onB.next({ timeoutMs: 1_000 });
    expect(event.id).toBe(created.id);
    await expect(carolsOnB.next({ timeoutMs: 300 })).rejects.toThrow(/no event/);
  });

  test('when timeline announces that homes got posts, then those readers’ streams on every instance hear "timeline" (no id, so Last-Event-ID stays); others hear nothing', async () => {
    await whenLive(a);
    await whenLive(b);
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const listening = [await stream(a, alice), await stream(b, bob)];
    const carols = await stream(b, carol);
    // As timeline publishes it (its own sidecar in a deployment; any sidecar on the broadcast here).
    const response = await fetch(`${a.sidecar.url}/v1.0/publish/broadcast/timeline.updated`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userIds: [alice, bob] }),
    });
    expect(response.status).toBe(204);
    for (const client of listening) {
      const event = await client.next({ timeoutMs: 1_000 });
      expect(event).toMatchObject({ event: 'timeline', data: '{}' });
      expect(event.id).toBeUndefined();
    }
    await expect(carols.next({ timeoutMs: 300 })).rejects.toThrow(/no event/);
  });

  test('when a client reconnects with Last-Event-ID, then it gets what it missed in order, then live ones', async () => {
    await whenLive(a);
    const alice = randomUUID();
    const first = await stream(a, alice);
    const n1 = await create(a, alice);
    expect((await first.next()).id).toBe(n1.id);
    first.close();
    const missed = [await create(a, alice), await create(a, alice)];
    const again = await stream(a, alice, { 'last-event-id': n1.id });
    expect((await again.next()).id).toBe(missed[0]!.id);
    expect((await again.next()).id).toBe(missed[1]!.id);
    const live = await create(a, alice);
    expect((await again.next()).id).toBe(live.id);
    // the query form, for clients that cannot set the header
    const viaQuery = await openStream(
      `${a.running.url}/notifications/stream?lastEventId=${missed[1]!.id}`,
      as(alice),
    );
    open.push(viaQuery);
    expect((await viaQuery.next()).id).toBe(live.id);
  });

  test('when a stream is idle, then heartbeat comments arrive at the configured interval', async () => {
    const client = await stream(a, randomUUID());
    const started = Date.now();
    let ping;
    do ping = await client.next({ timeoutMs: 2_000, comments: true });
    while (ping.comment !== 'ping');
    expect(Date.now() - started).toBeLessThan(HEARTBEAT_MS * 4);
  });

  test('when clients disconnect, then their streams are cleaned up and the gauge goes down', async () => {
    const gauge = async () => {
      const text = await (await fetch(`${a.running.url}/metrics`)).text();
      return Number(/^open_sse_streams\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
    };
    await eventually(async () => (a.built.hub.size === 0 ? true : undefined));
    const clients = await Promise.all([1, 2, 3].map(() => stream(a, randomUUID())));
    expect(a.built.hub.size).toBe(3);
    expect(await gauge()).toBe(3);
    clients.forEach((c) => c.close());
    await eventually(async () => ((await gauge()) === 0 ? true : undefined));
    expect(a.built.hub.size).toBe(0);
  });
});
