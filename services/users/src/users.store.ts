import {
  ACCESS_REVOKED_TOPIC,
  BROADCAST_PUBSUB,
  WriteConflict,
  domainEvent,
  guardedUpsert,
  newEventId,
  retryOnConflict,
  type AccessRevoked,
  type Dapr,
  type Logger,
  type Outbox,
  type Page,
  type StateStore,
  type TransactionOperation,
  type Versioned,
} from '@flock/kit';
import {
  REFRESH_TOKEN_TTL_SECONDS,
  UsernameOrEmailTaken,
  type LoginAttempts,
  type RefreshGrant,
  type RevocationNotices,
  type SessionRecord,
  type SessionRepository,
  type UserRepository,
} from './users.domain.js';
import type { UserRecord } from './users.schemas.js';
import type { Admission, AttemptRecord } from './users.throttle.js';

// Key layout in the users store. Index keys make username and email unique: they are inserted
// with first-write and no etag in the same transaction as the user, so a second claim fails.
const userKey = (id: string) => `user:${id}`;
const usernameKey = (username: string) => `username:${username}`;
const emailKey = (email: string) => `email:${email}`;
const refreshKey = (hash: string) => `refresh:${hash}`;
const sessionKey = (sessionId: string) => `session:${sessionId}`;
const attemptsKey = (counter: string) => `login-attempts:${counter}`;
const knownSourceKey = (userId: string, source: string) => `known-source:${userId}:${source}`;

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
            {
              userId: user.id,
              username: user.username,
              email: user.email,
              displayName: user.displayName,
              at: user.createdAt,
            },
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

/** Sessions and their refresh grants: both expire on their own (TTL), renewed on each rotation. */
export class DaprSessionRepository implements SessionRepository {
  constructor(private readonly state: StateStore) {}

  async open(sessionId: string, userId: string, refreshHash: string, ttlSeconds: number) {
    await this.state.transact([
      sessionWrite(sessionId, { userId, current: refreshHash }, undefined, ttlSeconds),
      grantWrite(refreshHash, { userId, sessionId }, ttlSeconds),
    ]);
  }

  async grant(refreshHash: string): Promise<RefreshGrant | undefined> {
    return (await this.state.get<RefreshGrant>(refreshKey(refreshHash)))?.value;
  }

  session(sessionId: string): Promise<Versioned<SessionRecord> | undefined> {
    return this.state.get<SessionRecord>(sessionKey(sessionId));
  }

  async rotate(
    sessionId: string,
    read: Versioned<SessionRecord>,
    nextHash: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    try {
      // The etag makes rotation race-free: of two refreshes with one token, one wins.
      await this.state.transact([
        sessionWrite(sessionId, { ...read.value, current: nextHash }, read.etag, ttlSeconds),
        grantWrite(nextHash, { userId: read.value.userId, sessionId }, ttlSeconds),
      ]);
      return true;
    } catch (error) {
      if (error instanceof WriteConflict) return false;
      throw error;
    }
  }

  async revoke(sessionId: string, session: SessionRecord, at: string): Promise<void> {
    // Last write: ending a session must win over a rotation racing it.
    await this.state.save(
      sessionKey(sessionId),
      { ...session, revokedAt: at },
      {
        ttlInSeconds: REFRESH_TOKEN_TTL_SECONDS,
      },
    );
  }
}

const sessionWrite = (
  sessionId: string,
  session: SessionRecord,
  etag: string | undefined,
  ttlInSeconds: number,
): TransactionOperation => guardedUpsert(sessionKey(sessionId), session, etag, ttlInSeconds);

const grantWrite = (
  hash: string,
  grant: RefreshGrant,
  ttlInSeconds: number,
): TransactionOperation => ({
  operation: 'upsert',
  key: refreshKey(hash),
  value: grant,
  concurrency: 'first-write',
  ttlInSeconds,
});

/** The login throttle's counters and the addresses each account signed in from. */
export class DaprLoginAttempts implements LoginAttempts {
  constructor(private readonly state: StateStore) {}

  update(
    keys: readonly string[],
    decide: (records: ReadonlyMap<string, AttemptRecord>) => Admission,
  ): Promise<Admission> {
    return retryOnConflict(async () => {
      const read = await this.state.getMany<AttemptRecord>(keys.map(attemptsKey));
      const records = new Map(keys.map((key) => [key, read.get(attemptsKey(key))?.value]));
      const admission = decide(
        new Map([...records].filter((entry): entry is [string, AttemptRecord] => !!entry[1])),
      );
      if (admission.admitted) {
        // Each counter is written under the etag it was read with (insert-only if it was absent),
        // so of concurrent attempts only one commits per round; the others decide again.
        await this.state.transact(
          admission.writes.map(({ key, record, ttlSeconds }) =>
            guardedUpsert(attemptsKey(key), record, read.get(attemptsKey(key))?.etag, ttlSeconds),
          ),
        );
      }
      return admission;
    }, ADMIT_ATTEMPTS);
  }

  async forget(key: string): Promise<void> {
    await this.state.delete(attemptsKey(key));
  }

  async isKnownSource(userId: string, source: string): Promise<boolean> {
    return (await this.state.get(knownSourceKey(userId, source))) !== undefined;
  }

  async rememberSource(userId: string, source: string, ttlSeconds: number): Promise<void> {
    await this.state.save(
      knownSourceKey(userId, source),
      { at: now() },
      { ttlInSeconds: ttlSeconds },
    );
  }
}

/** Rounds of contention an attempt may lose before it gives up (the throttle locks long before). */
const ADMIT_ATTEMPTS = 25;

/** Announces ended access on the broadcast pub/sub, which reaches every gateway instance. */
export class DaprRevocationNotices implements RevocationNotices {
  constructor(
    private readonly dapr: Dapr,
    private readonly logger: Logger,
  ) {}

  async announce(notice: AccessRevoked): Promise<void> {
    try {
      await this.dapr.publishTo(BROADCAST_PUBSUB, ACCESS_REVOKED_TOPIC, notice, newEventId());
    } catch (error) {
      this.logger.warn(
        { err: error, ...notice },
        'revocation notice not published; gateways rely on their cache expiry',
      );
    }
  }
}
