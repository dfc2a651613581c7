import { createHash } from 'node:crypto';
import { AppError, type Page } from '@flock/kit';
import {
  MAX_LOGIN_FAILURES,
  UsernameOrEmailTaken,
  UsersDomain,
  type CountsSource,
  type PasswordHasher,
  type SessionRepository,
  type TokenIssuer,
  type UserRepository,
} from '../src/users.domain.js';
import type { UserRecord } from '../src/users.schemas.js';

/** In-memory repositories with the same contracts as the Dapr ones. */
class FakeUsers implements UserRepository {
  readonly byKey = new Map<string, UserRecord>();
  async byId(id: string) {
    return this.byKey.get(id);
  }
  async idByUsername(username: string) {
    return [...this.byKey.values()].find((u) => u.username === username)?.id;
  }
  async idByEmail(email: string) {
    return [...this.byKey.values()].find((u) => u.email === email)?.id;
  }
  async list(limit: number): Promise<Page<UserRecord>> {
    return { items: [...this.byKey.values()].slice(0, limit) };
  }
  async create(user: UserRecord) {
    if ((await this.idByUsername(user.username)) || (await this.idByEmail(user.email)))
      throw new UsernameOrEmailTaken();
    this.byKey.set(user.id, user);
  }
  async update(user: UserRecord) {
    this.byKey.set(user.id, user);
  }
  async remove(user: UserRecord) {
    this.byKey.delete(user.id);
  }
}

class FakeSessions implements SessionRepository {
  readonly refresh = new Map<string, string>();
  readonly revoked = new Set<string>();
  readonly failures = new Map<string, number>();
  async saveRefreshToken(hash: string, userId: string) {
    this.refresh.set(hash, userId);
  }
  async spendRefreshToken(hash: string) {
    const userId = this.refresh.get(hash);
    this.refresh.delete(hash);
    return userId;
  }
  async revokeAccessToken(tokenId: string) {
    this.revoked.add(tokenId);
  }
  async isAccessTokenRevoked(tokenId: string) {
    return this.revoked.has(tokenId);
  }
  async recordLoginFailure(login: string) {
    const count = (this.failures.get(login) ?? 0) + 1;
    this.failures.set(login, count);
    return count;
  }
  async loginFailures(login: string) {
    return this.failures.get(login) ?? 0;
  }
  async clearLoginFailures(login: string) {
    this.failures.delete(login);
  }
}

/** Reversible "hashing": the domain's rules, not argon2, are under test here. */
const passwords: PasswordHasher = {
  hash: async (password) => `hashed:${password}`,
  verify: async (hash, password) => hash === `hashed:${password}`,
};

let tokenCount = 0;
const tokens: TokenIssuer = {
  accessToken: async (user) => `access-for-${user.id}`,
  accessTokenTtlSeconds: 900,
  refreshToken: () => {
    const token = `refresh-${++tokenCount}`;
    return { token, hash: createHash('sha256').update(token).digest('hex') };
  },
  hashOf: (token) => createHash('sha256').update(token).digest('hex'),
};

const counts: CountsSource = {
  countsOf: async () => ({ followers: 3, following: null, posts: 7 }),
};
const clock = { now: () => new Date('2026-06-01T12:00:00.000Z') };

function setup() {
  const users = new FakeUsers();
  const sessions = new FakeSessions();
  const domain = new UsersDomain(
    users,
    sessions,
    passwords,
    tokens,
    counts,
    clock,
    'hashed:decoy-never-matches',
  );
  return { users, sessions, domain };
}

const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.status : error;
  }
};

const alice = { username: 'alice', email: 'alice@example.com', password: 'correct horse' };

describe('users domain', () => {
  test('when someone registers, then the public user hides the email and hash, and the name is claimed', async () => {
    const { domain } = setup();
    const user = await domain.register(alice);
    expect(user).toEqual({
      id: user.id,
      username: 'alice',
      displayName: 'alice',
      bio: '',
      createdAt: '2026-06-01T12:00:00.000Z',
    });
    expect(await statusOf(domain.register({ ...alice, email: 'other@example.com' }))).toBe(409);
    expect(await statusOf(domain.register({ ...alice, username: 'alice2' }))).toBe(409);
  });

  test('when the login is unknown or the password wrong, then the same 401, and the email works as a login', async () => {
    const { domain } = setup();
    await domain.register(alice);
    expect(await statusOf(domain.login({ login: 'nobody', password: 'x' }))).toBe(401);
    expect(await statusOf(domain.login({ login: 'alice', password: 'wrong' }))).toBe(401);
    expect(
      (await domain.login({ login: 'ALICE@example.com', password: alice.password })).user.username,
    ).toBe('alice');
  });

  test(`when a login fails ${MAX_LOGIN_FAILURES} times, then further attempts get 429, even with the right password`, async () => {
    const { domain } = setup();
    await domain.register(alice);
    for (let i = 0; i < MAX_LOGIN_FAILURES; i++)
      await statusOf(domain.login({ login: 'alice', password: 'wrong' }));
    expect(await statusOf(domain.login({ login: 'alice', password: alice.password }))).toBe(429);
  });

  test('when a login succeeds, then earlier failures are forgotten', async () => {
    const { domain, sessions } = setup();
    await domain.register(alice);
    await statusOf(domain.login({ login: 'alice', password: 'wrong' }));
    await domain.login({ login: 'alice', password: alice.password });
    expect(await sessions.loginFailures('alice')).toBe(0);
  });

  test('when a refresh token is used, then it is spent: a second use is 401', async () => {
    const { domain } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password });
    const next = await domain.refresh(session.refreshToken);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
  });

  test('when a user logs out, then the access token is revoked and the refresh token spent', async () => {
    const { domain } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password });
    await domain.logout('token-1', Date.parse('2026-06-01T12:10:00Z') / 1000, session.refreshToken);
    expect(await domain.isRevoked('token-1')).toBe(true);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
  });

  test('when someone edits or deletes another account, then 403; an unknown account is 404', async () => {
    const { domain } = setup();
    const a = await domain.register(alice);
    const b = await domain.register({
      username: 'bob',
      email: 'bob@example.com',
      password: 'correct horse',
    });
    const bob = { id: b.id, username: 'bob' };
    expect(await statusOf(domain.update(bob, a.id, { bio: 'hacked' }))).toBe(403);
    expect(await statusOf(domain.remove(bob, a.id))).toBe(403);
    expect(
      await statusOf(domain.update(bob, '00000000-0000-4000-8000-000000000000', { bio: 'x' })),
    ).toBe(404);
    expect((await domain.update(bob, b.id, { bio: 'hello' })).bio).toBe('hello');
  });

  test('when a deleted user tries to refresh, then 401: the account no longer exists', async () => {
    const { domain } = setup();
    const a = await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password });
    await domain.remove({ id: a.id, username: 'alice' }, a.id);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
  });

  test('when a profile is read, then counts come from their owners and unknown ones stay null', async () => {
    const { domain } = setup();
    const a = await domain.register(alice);
    expect(await domain.profile(a.id)).toMatchObject({ followers: 3, following: null, posts: 7 });
  });
});
