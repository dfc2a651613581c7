import { eventually, platformLabel, startTestPlatform, type TestPlatform } from '@flock/testing';

/** The runner as a process manager: a service killed outright comes back by itself. */
describe(`crash supervision (${platformLabel()})`, () => {
  let flock: TestPlatform;

  beforeAll(async () => {
    flock = await startTestPlatform();
  }, 240_000);

  afterAll(() => flock?.stop(), 30_000);

  test('when a service is killed with SIGKILL, then the gateway reports it down, the runner restarts it, and what it acknowledged is still there', async () => {
    const alice = await flock.signUp('phoenix');
    const before = await flock.call('POST', '/posts', alice.accessToken, {
      text: 'before the crash',
    });
    expect(before.status).toBe(201);
    const posts = flock.platform.apps.find((a) => a.appId === 'posts')!;
    const killed = posts.pid;
    process.kill(killed, 'SIGKILL');
    // The gateway stays ready for the rest, and says posts is down.
    const readiness = async () =>
      (await (await fetch(`${flock.gatewayUrl}/readyz`)).json()) as {
        status: string;
        checks: Array<{ name: string; ok: boolean }>;
      };
    const degraded = await eventually(async () => {
      const body = await readiness();
      return body.checks.find((c) => c.name === 'posts')?.ok === false ? body : undefined;
    }, 10_000);
    expect(degraded.status).toBe('degraded');
    await eventually(async () => (posts.pid !== killed ? true : undefined), 20_000);
    await eventually(
      async () =>
        (await fetch(`${posts.url}/readyz`).catch(() => undefined))?.ok ? true : undefined,
      30_000,
    );
    const read = await flock.call('GET', `/posts/${before.body.id as string}`);
    expect(read.status).toBe(200);
    expect(read.body.text).toBe('before the crash');
    const after = await flock.call('POST', '/posts', alice.accessToken, { text: 'after it' });
    expect(after.status).toBe(201);
    await eventually(async () => ((await readiness()).status === 'ready' ? true : undefined));
  }, 90_000);
});
