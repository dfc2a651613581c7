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
/**
 * How long deliveries may take to catch up. A delivery that failed while its app was down is
 * retried under the local profiles' Resiliency policy (components/local/{profile}/resiliency.yaml:
 * exponential, Dapr's 0.5 s start ×1.5 each time, capped at 30 s, ±50% jitter, 10 retries): a
 * message that keeps failing may wait about 57 s in all, up to 85 s with jitter, before its
 * last try. Convergence within that, plus the time to process a backlog, is on time; later is lost.
 */
const CONVERGE_MS = 120_000;

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
        const response = await fetch(`${flock.gatewayUrl}/api/flock/v1/posts`, {
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

  /**
   * Every item of a paged list, following nextCursor; undefined while a page fails (a service
   * just restarted may still be warming). A loaded machine acknowledges more than one page.
   */
  const everyItem = async <T>(route: string, token: string): Promise<T[] | undefined> => {
    const items: T[] = [];
    for (let cursor: string | undefined = ''; cursor !== undefined;) {
      const join = route.includes('?') ? '&' : '?';
      const page = await flock.call(
        'GET',
        `${route}${cursor ? `${join}cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      if (page.status !== 200) return undefined;
      items.push(...(page.body.items as T[]));
      cursor = page.body.nextCursor as string | undefined;
    }
    return items;
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

    const killedAll = Date.now();
    /** Waits for `missing` to reach 0; on a timeout says how many were still missing. */
    const converge = async (what: string, missing: () => Promise<number | undefined>) => {
      let left: number | undefined;
      await eventually(
        async () => ((left = await missing()) === 0 ? true : undefined),
        CONVERGE_MS,
      ).catch((error: Error) => {
        throw new Error(
          `${what}: ${left ?? 'unreadable'} of ${ids.length} missing (${error.message})`,
        );
      });
      return Date.now() - killedAll;
    };
    const homeAfter = await converge('home timeline', async () => {
      const home = await everyItem<{ postId: string }>('/timeline/home?limit=100', bob.accessToken);
      const seen = new Set(home?.map((i) => i.postId));
      return home && ids.filter((id) => !seen.has(id)).length;
    });
    const mentionsAfter = await converge('mention notifications', async () => {
      const list = await everyItem<{ type: string; postId?: string }>(
        '/notifications?limit=100',
        bob.accessToken,
      );
      const seen = new Set(list?.filter((n) => n.type === 'mention').map((n) => n.postId));
      return list && ids.filter((id) => !seen.has(id)).length;
    });
    console.log(
      `${ids.length} posts acknowledged; converged after the last restart: home timeline in ` +
        `${homeAfter} ms, mention notifications in ${mentionsAfter} ms`,
    );
  }, 600_000);
});
