import { setTimeout as sleep } from 'node:timers/promises';
import {
  platformLabel,
  startTestPlatform,
  type Answer,
  type Session,
  type TestPlatform,
} from '@flock/testing';

/**
 * Idle keep-alive connections: traffic that pauses just past a hop's idle timeout must not meet a
 * socket the other side is closing. Bursts of the DeathStarBench mix (home and user timelines,
 * posts fetched one by one, a compose) alternate with idle gaps just past Node's default server
 * timeout (5 s, what every hop had) and undici's default client timeout (4 s). Every answer must
 * be a success: a 5xx here is a request lost to the race.
 */
describe(`keep-alive: bursts after idle gaps meet no closing socket (${platformLabel()})`, () => {
  let flock: TestPlatform;
  let alice: Session;
  let bob: Session;
  const postIds: string[] = [];

  beforeAll(async () => {
    flock = await startTestPlatform();
    alice = await flock.signUp('keepalive_alice');
    bob = await flock.signUp('keepalive_bob');
    await flock.call('POST', `/users/${alice.user.id}/follow`, bob.accessToken);
    for (let n = 0; n < 5; n++) {
      const post = await flock.call<{ id: string }>('POST', '/posts', alice.accessToken, {
        text: `seed ${n}`,
      });
      postIds.push(post.body.id);
    }
  }, 240_000);

  afterAll(() => flock?.stop(), 60_000);

  /** One burst: 30 operations in the mix, 6 at a time, as a web client opening pages does. */
  async function burst(round: number): Promise<Answer<unknown>[]> {
    const operations = Array.from({ length: 30 }, (_, i) => () => {
      if (i % 10 === 0)
        return flock.call('POST', '/posts', alice.accessToken, { text: `round ${round} ${i}` });
      if (i % 10 < 4) return flock.call('GET', `/users/${alice.user.id}/timeline`, bob.accessToken);
      if (i % 10 < 7) return flock.call('GET', '/timeline/home?limit=20', bob.accessToken);
      return flock.call('GET', `/posts/${postIds[i % postIds.length]}`, bob.accessToken);
    });
    const answers: Answer<unknown>[] = [];
    for (let i = 0; i < operations.length; i += 6)
      answers.push(...(await Promise.all(operations.slice(i, i + 6).map((op) => op()))));
    return answers;
  }

  test('no request after an idle gap fails', async () => {
    const gapsMs = [5_200, 4_100, 5_600, 4_400, 5_100, 6_100, 4_200, 5_300];
    const failures: string[] = [];
    let total = 0;
    for (const [round, gap] of gapsMs.entries()) {
      for (const answer of await burst(round)) {
        total++;
        if (answer.status >= 500) failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await sleep(gap);
    }
    for (const answer of await burst(gapsMs.length)) {
      total++;
      if (answer.status >= 500) failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    }
    expect(total).toBe(30 * (gapsMs.length + 1));
    expect(failures).toEqual([]);
  }, 180_000);
});
