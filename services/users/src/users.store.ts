import {
  WriteConflict,
  domainEvent,
  newEventId,
  type Outbox,
  type Page,
  type StateStore,
} from '@flock/kit';
import {
  UsernameOrEmailTaken,
  type SessionRepository,
  type UserRepository,
} from './users.domain.js';
import type { UserRecord } from './users.schemas.js';

// Key layout in the users store. Index keys make username and email unique: they are inserted
// with first-write and no etag in the same transaction as the user, so a second claim fails.
const userKey = (id: string) => `user:${id}`;
const usernameKey = (username: string) => `username:${username}`;
const emailKey = (email: string) => `email:${email}`;
const refreshKey = (hash: string) => `refresh:${hash}`;
const revokedKey = (tokenId: string) => `revoked:${tokenId}`;
const failuresKey = (login: string) => `login-failures:${login}`;

interface IndexEntry {
  userId: string;
}

const now = () => new Date().toISOString();

export class DaprUserRepository implements UserRepository {
  constructor(
    private readonly state: StateStore,
    private readonly outbox: Outbox,
  ) {}

  async byId(id: string): Promise<UserRecord | undefined> {
    return (await this.state.get<UserRecord>(userKey(id)))?.value;
  }

  async idByUsername(username: string): Promise<string | undefined> {
    return (await this.state.get<IndexEntry>(usernameKey(username)))?.value.userId;
  }

  async idByEmail(email: string): Promise<string | undefined> {
    return (await this.state.get<IndexEntry>(emailKey(email)))?.value.userId;
  }

  async list(limit: number, cursor?: string): Promise<Page<UserRecord>> {
    const page = await this.state.query<UserRecord>({
      filter: { EQ: { kind: 'user' } },
      sort: [{ key: 'createdAt', order: 'DESC' }],
      page: { limit, ...(cursor ? { token: cursor } : {}) },
    });
    return {
      items: page.results.map((r) => r.value),
      ...(page.token ? { nextCursor: page.token } : {}),
    };
  }

  async create(user: UserRecord): Promise<void> {
    const claim = { userId: user.id } satisfies IndexEntry;
    try {
      await this.outbox.commit(
        [
          {
            operation: 'upsert',
            key: usernameKey(user.username),
            value: claim,
            concurrency: 'first-write',
          },
          {
            operation: 'upsert',
            key: emailKey(user.email),
            value: claim,
            concurrency: 'first-write',
          },
          { operation: 'upsert', key: userKey(user.id), value: user, concurrency: 'first-write' },
        ],
        [
          domainEvent(
            'user.registered',
            { userId: user.id, username: user.username, email: user.email, at: user.createdAt },
            newEventId(),
          ),
        ],
      );
    } catch (error) {
      // An insert-only claim lost to a concurrent registration (the kit's WriteConflict); any
      // other failure (the store being down) stays what it is.
      if (error instanceof WriteConflict) {
        throw new UsernameOrEmailTaken(error.message, { cause: error });
      }
      throw error;
    }
  }

  async update(user: UserRecord): Promise<void> {
    await this.outbox.commit(
      [{ operation: 'upsert', key: userKey(user.id), value: user }],
      [
        domainEvent(
          'user.updated',
          {
            userId: user.id,
            username: user.username,
            email: user.email,
            displayName: user.displayName,
            bio: user.bio,
            at: user.updatedAt,
          },
          newEventId(),
        ),
      ],
    );
  }

  async remove(user: UserRecord): Promise<void> {
    await this.outbox.commit(
      [
        { operation: 'delete', key: userKey(user.id) },
        { operation: 'delete', key: usernameKey(user.username) },
        { operation: 'delete', key: emailKey(user.email) },
      ],
      [
        domainEvent(
          'user.deleted',
          { userId: user.id, username: user.username, at: now() },
          newEventId(),
        ),
      ],
    );
  }
}

/** Refresh tokens, revoked access tokens and failed-login counters: all expire on their own (TTL). */
export class DaprSessionRepository implements SessionRepository {
  constructor(private readonly state: StateStore) {}

  async saveRefreshToken(tokenHash: string, userId: string, ttlSeconds: number): Promise<void> {
    await this.state.save(refreshKey(tokenHash), { userId }, { ttlInSeconds: ttlSeconds });
  }

  async spendRefreshToken(tokenHash: string): Promise<string | undefined> {
    const entry = await this.state.get<{ userId: string }>(refreshKey(tokenHash));
    if (!entry) return undefined;
    try {
      // The etag makes spending race-free: of two concurrent refreshes, one wins.
      await this.state.delete(refreshKey(tokenHash), { etag: entry.etag });
    } catch (error) {
      if (error instanceof WriteConflict) return undefined;
      throw error;
    }
    return entry.value.userId;
  }

  async revokeAccessToken(tokenId: string, ttlSeconds: number): Promise<void> {
    await this.state.save(revokedKey(tokenId), { at: now() }, { ttlInSeconds: ttlSeconds });
  }

  async isAccessTokenRevoked(tokenId: string): Promise<boolean> {
    return (await this.state.get(revokedKey(tokenId))) !== undefined;
  }

  async recordLoginFailure(login: string, windowSeconds: number): Promise<number> {
    for (;;) {
      const current = await this.state.get<{ count: number }>(failuresKey(login));
      const count = (current?.value.count ?? 0) + 1;
      try {
        await this.state.save(
          failuresKey(login),
          { count },
          {
            ttlInSeconds: windowSeconds,
            ...(current ? { etag: current.etag } : { concurrency: 'first-write' }),
          },
        );
        return count;
      } catch (error) {
        if (!(error instanceof WriteConflict) && current) throw error; // else: lost a race, count again
      }
    }
  }

  async loginFailures(login: string): Promise<number> {
    return (await this.state.get<{ count: number }>(failuresKey(login)))?.value.count ?? 0;
  }

  async clearLoginFailures(login: string): Promise<void> {
    await this.state.delete(failuresKey(login));
  }
}
