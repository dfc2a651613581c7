import { createHash } from 'node:crypto';
import { AppError, type AccessRevoked, type Page, type Versioned } from '@flock/kit';
import {
  UsernameOrEmailTaken,
  UsersDomain,
  type CountsSource,
  type LoginAttempts,
  type PasswordHasher,
  type RefreshGrant,
  type RevocationNotices,
  type SessionRecord,
  type SessionRepository,
  type TokenIssuer,
  type UserRepository,
} from '../src/users.domain.js';
import type { UserRecord } from '../src/users.schemas.js';
import { LOGIN_GATES, type Admission, type AttemptRecord } from '../src/users.throttle.js';

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
  readonly sessions = new Map<string, Versioned<SessionRecord>>();
  readonly grants = new Map<string, RefreshGrant>();
  private version = 0;
  async open(sessionId: string, userId: string, refreshHash: string) {
    this.sessions.set(sessionId, {
      value: { userId, current: refreshHash },
      etag: `${++this.version}`,
    });
    this.grants.set(refreshHash, { userId, sessionId });
  }
  async grant(hash: string) {
    return this.grants.get(hash);
  }
  async session(sessionId: string) {
    return this.sessions.get(sessionId);
  }
  async rotate(sessionId: string, read: Versioned<SessionRecord>, nextHash: string) {
    if (this.sessions.get(sessionId)?.etag !== read.etag) return false;
    this.sessions.set(sessionId, {
      value: { ...read.value, current: nextHash },
      etag: `${++this.version}`,
    });
    this.grants.set(nextHash, { userId: read.value.userId, sessionId });
    return true;
  }
  async revoke(sessionId: string, session: SessionRecord, at: string) {
    this.sessions.set(sessionId, {
      value: { ...session, revokedAt: at },
      etag: `${++this.version}`,
    });
  }
}

/** The throttle's counters, committed as the Dapr store does: all of one decision or none. */
class FakeAttempts implements LoginAttempts {
  readonly records = new Map<string, AttemptRecord>();
  readonly known = new Set<string>();
  async update(
    keys: readonly string[],
    decide: (r: ReadonlyMap<string, AttemptRecord>) => Admission,
  ) {
    const read = new Map(
      keys.flatMap((k) => (this.records.has(k) ? [[k, this.records.get(k)!]] : [])),
    );
    const admission = decide(read);
    if (admission.admitted) for (const w of admission.writes) this.records.set(w.key, w.record);
    return admission;
  }
  async forget(key: string) {
    this.records.delete(key);
  }
  async isKnownSource(userId: string, source: string) {
    return this.known.has(`${userId}|${source}`);
  }
  async rememberSource(userId: string, source: string) {
    this.known.add(`${userId}|${source}`);
  }
}

class FakeNotices implements RevocationNotices {
  readonly sent: AccessRevoked[] = [];
  async announce(notice: AccessRevoked) {
    this.sent.push(notice);
  }
}

/** Reversible "hashing": the domain's rules, not argon2, are under test here. */
const passwords: PasswordHasher = {
  hash: async (password) => `hashed:${password}`,
  verify: async (hash, password) => hash === `hashed:${password}`,
};

let tokenCount = 0;
const tokens: TokenIssuer = {
  accessToken: async (user, sessionId) => `access-for-${user.id}-in-${sessionId}`,
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
/** A clock the tests move. */
const clock = {
  at: Date.parse('2026-06-01T12:00:00.000Z'),
  now: () => new Date(clock.at),
  advance(seconds: number) {
    clock.at += seconds * 1000;
  },
};

function setup() {
  clock.at = Date.parse('2026-06-01T12:00:00.000Z');
  const users = new FakeUsers();
  const sessions = new FakeSessions();
  const attempts = new FakeAttempts();
  const notices = new FakeNotices();
  const domain = new UsersDomain(
    users,
    sessions,
    attempts,
    notices,
    passwords,
    tokens,
    counts,
    clock,
    'hashed:decoy-never-matches',
  );
  return { users, sessions, attempts, notices, domain };
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

const HOME = '198.51.100.7';
const THIEF = '203.0.113.66';

describe('users domain', () => {
  test('when someone registers, then the account is created; a taken username is 409', async () => {
    const { domain, users } = setup();
    await domain.register(alice);
    expect([...users.byKey.values()]).toMatchObject([
      { username: 'alice', email: 'alice@example.com', displayName: 'alice', bio: '' },
    ]);
    expect(await statusOf(domain.register({ ...alice, email: 'other@example.com' }))).toBe(409);
  });

  test('when the email address is taken, then registering answers as for a new account and creates nothing', async () => {
    const { domain, users } = setup();
    await domain.register(alice);
    expect(await statusOf(domain.register({ ...alice, username: 'alice2' }))).toBe('ok');
    expect([...users.byKey.values()].map((u) => u.username)).toEqual(['alice']);
    expect(await statusOf(domain.login({ login: 'alice2', password: alice.password }, HOME))).toBe(
      401,
    );
  });

  test('when the login is unknown or the password wrong, then the same 401, and the email works as a login', async () => {
    const { domain } = setup();
    await domain.register(alice);
    expect(await statusOf(domain.login({ login: 'nobody', password: 'x' }, HOME))).toBe(401);
    expect(await statusOf(domain.login({ login: 'alice', password: 'wrong' }, HOME))).toBe(401);
    expect(
      (await domain.login({ login: 'ALICE@example.com', password: alice.password }, HOME)).user
        .username,
    ).toBe('alice');
  });

  test(`when a login fails ${LOGIN_GATES.pair.free} times from one address, then that address waits, by username or email, even with the right password`, async () => {
    const { domain } = setup();
    await domain.register(alice);
    for (let i = 0; i < LOGIN_GATES.pair.free; i++)
      expect(await statusOf(domain.login({ login: 'alice', password: 'wrong' }, THIEF))).toBe(401);
    expect(
      await statusOf(domain.login({ login: 'alice@example.com', password: alice.password }, THIEF)),
    ).toBe(429);
    // The owner, from their own address, is not locked out by the thief's failures.
    expect(await statusOf(domain.login({ login: 'alice', password: alice.password }, HOME))).toBe(
      'ok',
    );
  });

  test('when the wait is over and the guess fails again, then the next wait is twice as long', async () => {
    const { domain } = setup();
    await domain.register(alice);
    const guess = () => statusOf(domain.login({ login: 'alice', password: 'wrong' }, THIEF));
    for (let i = 0; i < LOGIN_GATES.pair.free; i++) await guess();
    const first = LOGIN_GATES.pair.baseLockSeconds;
    clock.advance(first - 1);
    expect(await guess()).toBe(429);
    clock.advance(1);
    expect(await guess()).toBe(401);
    clock.advance(2 * first - 1);
    expect(await guess()).toBe(429);
    clock.advance(1);
    expect(await guess()).toBe(401);
  });

  test('when a locked address keeps trying, then the refused attempts do not lengthen the wait', async () => {
    const { domain } = setup();
    await domain.register(alice);
    const guess = () => statusOf(domain.login({ login: 'alice', password: 'wrong' }, THIEF));
    for (let i = 0; i < LOGIN_GATES.pair.free; i++) await guess();
    for (let i = 0; i < 50; i++) expect(await guess()).toBe(429);
    clock.advance(LOGIN_GATES.pair.baseLockSeconds);
    expect(await guess()).toBe(401);
  });

  test('when guesses come from many addresses, then the account waits for new addresses but not for ones it signed in from', async () => {
    const { domain } = setup();
    await domain.register(alice);
    await domain.login({ login: 'alice', password: alice.password }, HOME);
    for (let i = 0; i < LOGIN_GATES.account.free; i++)
      await statusOf(domain.login({ login: 'alice', password: 'wrong' }, `203.0.113.${i}`));
    expect(
      await statusOf(domain.login({ login: 'alice', password: alice.password }, '192.0.2.1')),
    ).toBe(429);
    expect(await statusOf(domain.login({ login: 'alice', password: alice.password }, HOME))).toBe(
      'ok',
    );
  });

  test('when the owner signs in between guesses, then the right password is not counted as one', async () => {
    const { domain } = setup();
    await domain.register(alice);
    await domain.login({ login: 'alice', password: alice.password }, HOME);
    for (let i = 0; i < LOGIN_GATES.account.free - 1; i++)
      await statusOf(domain.login({ login: 'alice', password: 'wrong' }, `203.0.113.${i}`));
    expect(
      await statusOf(domain.login({ login: 'alice', password: alice.password }, '192.0.2.1')),
    ).toBe('ok');
  });

  test('when one address sprays one guess at many accounts, then that address waits', async () => {
    const { domain } = setup();
    for (let i = 0; i < LOGIN_GATES.source.free; i++)
      expect(await statusOf(domain.login({ login: `user${i}`, password: 'x' }, THIEF))).toBe(401);
    expect(await statusOf(domain.login({ login: 'someone_else', password: 'x' }, THIEF))).toBe(429);
  });

  test('when a login succeeds, then that address forgets its failures', async () => {
    const { domain, attempts } = setup();
    await domain.register(alice);
    await statusOf(domain.login({ login: 'alice', password: 'wrong' }, HOME));
    await domain.login({ login: 'alice', password: alice.password }, HOME);
    expect([...attempts.records.keys()].filter((k) => k.startsWith('pair:'))).toEqual([]);
  });

  test('when a refresh token is used, then it is spent: a second use is 401', async () => {
    const { domain } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password }, HOME);
    const next = await domain.refresh(session.refreshToken);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
  });

  test('when a spent refresh token is used again, then the whole session ends: the newer tokens too', async () => {
    const { domain, notices } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password }, HOME);
    const next = await domain.refresh(session.refreshToken);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
    expect(await statusOf(domain.refresh(next.refreshToken))).toBe(401);
    expect(await domain.isRevoked(session.user.id, sessionOf(next.accessToken))).toBe(true);
    expect(notices.sent).toEqual([
      { userId: session.user.id, sessionId: sessionOf(next.accessToken) },
    ]);
  });

  test('when a user logs out, then the session ends: its access and refresh tokens', async () => {
    const { domain, notices } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password }, HOME);
    const other = await domain.login({ login: 'alice', password: alice.password }, HOME);
    const sessionId = sessionOf(session.accessToken);
    await domain.logout(session.user, sessionId);
    expect(await domain.isRevoked(session.user.id, sessionId)).toBe(true);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
    expect(await domain.isRevoked(other.user.id, sessionOf(other.accessToken))).toBe(false);
    expect(notices.sent).toEqual([{ userId: session.user.id, sessionId }]);
  });

  test("when someone names another user's session, then it is not theirs to end", async () => {
    const { domain } = setup();
    await domain.register(alice);
    await domain.register({ username: 'bob', email: 'bob@example.com', password: 'correct horse' });
    const a = await domain.login({ login: 'alice', password: alice.password }, HOME);
    const b = await domain.login({ login: 'bob', password: 'correct horse' }, HOME);
    await domain.logout(b.user, sessionOf(a.accessToken), a.refreshToken);
    expect(await domain.isRevoked(a.user.id, sessionOf(a.accessToken))).toBe(false);
    expect(await domain.isRevoked(b.user.id, sessionOf(a.accessToken))).toBe(true);
  });

  test('when someone edits or deletes another account, then 403; an unknown account is 404', async () => {
    const { domain, users } = setup();
    await domain.register(alice);
    await domain.register({ username: 'bob', email: 'bob@example.com', password: 'correct horse' });
    const [a, b] = [...users.byKey.values()];
    const bob = { id: b!.id, username: 'bob' };
    expect(await statusOf(domain.update(bob, a!.id, { bio: 'hacked' }))).toBe(403);
    expect(await statusOf(domain.remove(bob, a!.id))).toBe(403);
    expect(
      await statusOf(domain.update(bob, '00000000-0000-4000-8000-000000000000', { bio: 'x' })),
    ).toBe(404);
    expect((await domain.update(bob, b!.id, { bio: 'hello' })).bio).toBe('hello');
  });

  test('when a user deletes the account, then every session of it is revoked and announced', async () => {
    const { domain, notices } = setup();
    await domain.register(alice);
    const session = await domain.login({ login: 'alice', password: alice.password }, HOME);
    await domain.remove(session.user, session.user.id);
    expect(await domain.isRevoked(session.user.id, sessionOf(session.accessToken))).toBe(true);
    expect(await statusOf(domain.refresh(session.refreshToken))).toBe(401);
    expect(notices.sent).toEqual([{ userId: session.user.id }]);
  });

  test('when a profile is read, then counts come from their owners and unknown ones stay null', async () => {
    const { domain, users } = setup();
    await domain.register(alice);
    const [a] = [...users.byKey.values()];
    expect(await domain.profile(a!.id)).toMatchObject({ followers: 3, following: null, posts: 7 });
  });
});

/** The fake issuer writes the session into the access token. */
const sessionOf = (accessToken: string) => accessToken.split('-in-')[1]!;
