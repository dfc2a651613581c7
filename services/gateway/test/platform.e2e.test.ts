import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@flock/kit';
import { startPlatform, type Platform } from '../../../sidecar/src/runner/platform.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The whole embedded platform, as `npm start` runs it, on free ports and a throwaway data folder. */
describe('platform end to end (npm start, embedded profile)', () => {
  let platform: Platform;
  let dataDir: string;
  let api: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'flock-e2e-'));
    platform = await startPlatform({
      runFile: path.join(root, 'dapr.yaml'),
      ports: 'ephemeral',
      dataDir,
      logger: createLogger('e2e', 'silent'),
    });
    api = `${platform.gatewayUrl}/api/v1`;
  }, 90_000);

  afterAll(async () => {
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  const post = (route: string, body: unknown) =>
    fetch(`${api}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const alice = {
    username: 'Alice_1',
    email: 'Alice@Example.com',
    password: 'correct horse battery',
  };

  test('when a newcomer registers, logs in and reads their profile, then each step answers as documented', async () => {
    const registered = await post('/auth/register', alice);
    expect(registered.status).toBe(201);
    const user = (await registered.json()) as { id: string; username: string };
    expect(user.username).toBe('alice_1');
    expect(registered.headers.get('location')).toBe(`/api/v1/users/${user.id}`);
    expect(JSON.stringify(user)).not.toMatch(/password|email/i);

    const login = await post('/auth/login', {
      login: 'alice@example.com',
      password: alice.password,
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { accessToken: string; expiresIn: number };
    expect(session.expiresIn).toBeLessThanOrEqual(900);

    const profile = await fetch(`${api}/users/${user.id}`, {
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ id: user.id, username: 'alice_1' });
  });

  test('when the username is taken in another case, then 409', async () => {
    const response = await post('/auth/register', {
      ...alice,
      username: 'ALICE_1',
      email: 'other@example.com',
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  test('when the password is wrong or the user unknown, then the same 401', async () => {
    const wrong = await post('/auth/login', { login: 'alice_1', password: 'not the password' });
    const unknown = await post('/auth/login', {
      login: 'nobody_here',
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(((await wrong.json()) as { detail: string }).detail).toBe(
      ((await unknown.json()) as { detail: string }).detail,
    );
  });

  test('when registration input is bad, then 400 names the fields', async () => {
    const response = await post('/auth/register', {
      username: 'x',
      email: 'not-an-email',
      password: 'short',
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['email', 'password', 'username']);
  });

  test('when the user does not exist or the id is malformed, then 404 or 400', async () => {
    expect((await fetch(`${api}/users/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await fetch(`${api}/users/not-a-uuid`)).status).toBe(400);
  });

  test('when the token is forged or alg none, then 401', async () => {
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"x","username":"x"}').toString('base64url')}.`;
    for (const token of [none, 'abc.def.ghi']) {
      const response = await fetch(`${api}/users/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
    }
  });

  test('when someone calls a service directly without its sidecar token, then 401', async () => {
    const users = platform.apps.find((app) => app.appId === 'users')!;
    expect((await fetch(`${users.url}/users/00000000-0000-4000-8000-000000000000`)).status).toBe(
      401,
    );
  });
});
