import { setTimeout as sleep } from 'node:timers/promises';
import {
  eventually,
  platformLabel,
  startTestPlatform,
  type Session,
  type TestPlatform,
} from '@flock/testing';

/**
 * Chaos under load: while alice posts steadily (each post with an Idempotency-Key, retried until
 * acknowledged, as a careful client does), every service is killed once with SIGKILL. The runner
 * must bring each back, no acknowledged post may be lost or stored twice, and bob's home timeline
 * and notifications must converge on what was acknowledged.
 */
describe(`chaos: every service killed once under a steady write load (${platformLabel()})`, () => {
  let flock: TestPlatform;
  let alice: Session;
  let bob: Session;

  beforeAll(async () => {
    flock = await startTestPlatform({
      env: { RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000' },
    });
    alice = await flock.signUp('chaos_alice');
    bob = await flock.signUp('chaos_bob');
    expect(
      (await flock.call('POST', `/users/${alice.user.id}/follow`, bob.accessToken)).status,
    ).toBe(200);
  }, 240_000);

  afterAll(() => flock?.stop(), 60_000);

  /** One post, retried with the same key until some answer acknowledges it; its id. */
  const postUntilAcknowledged = async (n: number): Promise<string> => {
    for (;;) {
      try {
        const response = await fetch(`${flock.gatewayUrl}/api/v1/posts`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${alice.accessToken}`,
            'idempotency-key': `chaos-${n}`,
          },
          body: JSON.stringify({ text: `chaos ${n} @chaos_bob` }),
        });
        if (response.status === 201 || response.status === 200)
          return ((await response.json()) as { id: string }).id;
      } catch {
        // the gateway itself is down: try again
      }
      await sleep(200);
    }
  };

  test('when each service is killed in turn, then each comes back and nothing acknowledged is lost or doubled', async () => {
    const acknowledged = new Map<number, string>();
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        acknowledged.set(n, await postUntilAcknowledged(n));
        await sleep(100);
      }
    })();
    for (const app of flock.platform.apps) {
      const killed = app.pid;
      process.kill(killed, 'SIGKILL');
      await eventually(() => (app.pid !== killed ? true : undefined), 20_000);
      await eventually(
        async () =>
          (await fetch(`${app.url}/readyz`).catch(() => undefined))?.ok ? true : undefined,
        30_000,
      );
    }
    writing = false;
    await writer;

    const ids = [...acknowledged.values()];
    expect(ids.length).toBeGreaterThan(5);
    // One post per key: a retried request was answered with the post it had already made.
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect((await flock.call('GET', `/posts/${id}`)).status).toBe(200);

    await eventually(async () => {
      const home = await flock.call('GET', '/timeline/home?limit=100', bob.accessToken);
      if (home.status !== 200) return undefined; // a service just restarted may still be warming
      const seen = new Set(
        (home.body.items as Array<{ postId?: string; id?: string }>).map((i) => i.postId ?? i.id),
      );
      return ids.every((id) => seen.has(id)) ? true : undefined;
    }, 60_000);
    await eventually(async () => {
      const list = await flock.call('GET', '/notifications?limit=100', bob.accessToken);
      if (list.status !== 200) return undefined;
      const mentions = (list.body.items as Array<{ type: string }>).filter(
        (n) => n.type === 'mention',
      );
      return mentions.length >= ids.length ? true : undefined;
    }, 60_000);
  }, 300_000);
});
