import {
  eventually,
  startTestPlatform,
  type Session,
  type TestPlatform,
  platformLabel,
} from '@flock/testing';
import { openStream, type SseClient } from './support/sse.js';

/** Streams end after this long (the client reconnects with Last-Event-ID). */
const MAX_AGE_MS = 6_000;

/** Notifications through the gateway of the whole embedded platform (real processes, Postgres). */
describe(`notifications end to end, through the gateway (${platformLabel()})`, () => {
  let flock: TestPlatform;
  let platform: TestPlatform['platform'];
  let api: string;
  let alice: Session;
  let bob: Session;
  const streams: SseClient[] = [];

  const call = (method: string, route: string, token?: string, body?: unknown) =>
    flock.call<Record<string, unknown>>(method, route, token, body);

  const signUp = (username: string) => flock.signUp(username);

  const openSse = async (token: string, headers: Record<string, string> = {}) => {
    const client = await openStream(`${api}/notifications/stream`, {
      authorization: `Bearer ${token}`,
      ...headers,
    });
    streams.push(client);
    return client;
  };

  const openStreamsOnService = async () => {
    const app = platform.apps.find((a) => a.appId === 'notifications')!;
    const text = await (await fetch(`${app.url}/metrics`)).text();
    return Number(/^open_sse_streams\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    flock = await startTestPlatform({
      env: { SSE_HEARTBEAT_MS: '500', SSE_MAX_AGE_MS: String(MAX_AGE_MS) },
    });
    platform = flock.platform;
    api = `${flock.gatewayUrl}/api/flock/v1`;
    alice = await signUp('alice');
    bob = await signUp('bob');
  }, 240_000);

  afterAll(async () => {
    for (const s of streams) s.close();
    await flock?.stop();
  }, 30_000);

  test('when bob follows and mentions alice, then her stream through the gateway gets both live, and the list counts them', async () => {
    expect((await fetch(`${api}/notifications/stream`)).status).toBe(401);
    const stream = await openSse(alice.accessToken);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);

    expect((await call('POST', `/users/${alice.user.id}/follow`, bob.accessToken)).status).toBe(
      200,
    );
    const follow = await stream.next({ timeoutMs: 10_000 });
    expect(JSON.parse(follow.data!)).toMatchObject({ type: 'follow', actorId: bob.user.id });
    expect(follow.id).toMatch(/^[0-9a-f]{24}$/);

    const posted = await call('POST', '/posts', bob.accessToken, { text: 'hi @alice' });
    expect(posted.status).toBe(201);
    const mention = await stream.next({ timeoutMs: 10_000 });
    expect(JSON.parse(mention.data!)).toMatchObject({
      type: 'mention',
      actorId: bob.user.id,
      postId: posted.body.id,
      excerpt: 'hi @alice', // the post's words, read from posts as it is pushed
    });

    // heartbeats flow through the gateway too
    let ping;
    do ping = await stream.next({ timeoutMs: 5_000, comments: true });
    while (ping.comment !== 'ping');

    const listed = await call('GET', '/notifications', alice.accessToken);
    expect(listed.status).toBe(200);
    expect(listed.body.unreadCount).toBe(2);
    const items = listed.body.items as Array<{ id: string; type: string; excerpt?: string }>;
    expect(items.map((n) => n.type)).toEqual(['mention', 'follow']);
    expect(items.map((n) => n.excerpt)).toEqual(['hi @alice', undefined]);

    expect(
      (await call('POST', `/notifications/${items[0]!.id}/read`, bob.accessToken)).status,
    ).toBe(404);
    expect(
      (await call('POST', `/notifications/${items[0]!.id}/read`, alice.accessToken)).status,
    ).toBe(200);
    expect((await call('GET', '/notifications?unread=true', alice.accessToken)).body).toMatchObject(
      {
        unreadCount: 1,
        items: [{ id: items[1]!.id }],
      },
    );
    expect((await call('POST', '/notifications/read-all', alice.accessToken)).body).toEqual({
      updated: 1,
      unreadCount: 0,
    });
    expect((await call('GET', '/notifications?cursor=garbage', alice.accessToken)).status).toBe(
      400,
    );

    // reconnect through the gateway with ?lastEventId= (the gateway does not pass Last-Event-ID)
    stream.close();
    await call('POST', `/posts/${posted.body.id as string}/like`, alice.accessToken); // self: none
    const like = await call('POST', '/posts', alice.accessToken, { text: 'mine' });
    expect(
      (await call('POST', `/posts/${like.body.id as string}/like`, bob.accessToken)).status,
    ).toBe(200);
    await eventually(async () => {
      const { body } = await call('GET', '/notifications', alice.accessToken);
      return (body.items as unknown[]).length === 3 ? true : undefined;
    });
    const again = await openStream(`${api}/notifications/stream?lastEventId=${mention.id!}`, {
      authorization: `Bearer ${alice.accessToken}`,
    });
    streams.push(again);
    expect(JSON.parse((await again.next({ timeoutMs: 5_000 })).data!)).toMatchObject({
      type: 'like',
      actorId: bob.user.id,
      excerpt: 'mine',
    });
    again.close();
  });

  test('when a stream reaches its maximum age, then the client sees it end through the gateway; a hung-up stream is gone by then too', async () => {
    // The gateway and the sidecar do not pass a client's hang-up on to the service (they unpipe
    // without destroying the upstream response), so the service cannot see it; its maximum stream
    // age bounds how long such a stream lives. A stream it ends reaches the client as an end.
    await eventually(async () => ((await openStreamsOnService()) === 0 ? true : undefined), 15_000);
    const hungUp = await openSse(bob.accessToken);
    const kept = await openSse(alice.accessToken);
    await eventually(async () => ((await openStreamsOnService()) === 2 ? true : undefined));
    hungUp.close();
    const started = Date.now();
    await expect(
      (async () => {
        for (;;) await kept.next({ timeoutMs: MAX_AGE_MS * 2, comments: true });
      })(),
    ).rejects.toThrow('the stream ended');
    expect(Date.now() - started).toBeLessThan(MAX_AGE_MS + 2_000);
    await eventually(async () => ((await openStreamsOnService()) === 0 ? true : undefined), 5_000);
  });
});
