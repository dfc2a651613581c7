import { randomUUID } from 'node:crypto';
import {
  conflict,
  forbidden,
  notFound,
  tooManyRequests,
  unauthorized,
  type AccessRevoked,
  type AuthUser,
  type Page,
  type Versioned,
} from '@flock/kit';
import type { PublicUser, UserProfile } from './client/users.client.js';
import type {
  LoginRequest,
  RegisterRequest,
  UpdateUserRequest,
  UserRecord,
} from './users.schemas.js';
import {
  KNOWN_SOURCE_SECONDS,
  admit,
  loginCounterKeys,
  loginCounters,
  refund,
  type Admission,
  type AttemptRecord,
} from './users.throttle.js';

/** The storage the domain needs; users.store.ts implements it over Dapr state. */
export interface UserRepository {
  byId(id: string): Promise<UserRecord | undefined>;
  idByUsername(username: string): Promise<string | undefined>;
  idByEmail(email: string): Promise<string | undefined>;
  /** Newest first; `cursor` is the store's own position. */
  list(limit: number, cursor?: string): Promise<Page<UserRecord>>;
  /** Inserts the user and claims its username and email; throws UsernameOrEmailTaken if either is taken. */
  create(user: UserRecord): Promise<void>;
  update(user: UserRecord): Promise<void>;
  /** Removes the user, its name and email claims and its refresh tokens; publishes user.deleted. */
  remove(user: UserRecord): Promise<void>;
}

/**
 * A session is one login: the family of refresh tokens that rotate from it and the access tokens
 * they mint (each names its session). Exactly one refresh token of a session may be spent next;
 * presenting any other token of the family is a reuse, which ends the session.
 */
export interface SessionRecord {
  userId: string;
  /** The hash of the one refresh token that may be spent next. */
  current: string;
  revokedAt?: string;
}

/** What a refresh token was issued for; kept after it is spent, so a reuse is recognised. */
export interface RefreshGrant {
  userId: string;
  sessionId: string;
}

export interface SessionRepository {
  /** Starts a session with its first refresh token; both live `ttlSeconds`. */
  open(sessionId: string, userId: string, refreshHash: string, ttlSeconds: number): Promise<void>;
  /** The grant of any refresh token issued and not yet expired, spent or not. */
  grant(refreshHash: string): Promise<RefreshGrant | undefined>;
  session(sessionId: string): Promise<Versioned<SessionRecord> | undefined>;
  /**
   * Makes `nextHash` the session's one spendable token, if the session is still as read;
   * false if a concurrent refresh changed it first.
   */
  rotate(
    sessionId: string,
    read: Versioned<SessionRecord>,
    nextHash: string,
    ttlSeconds: number,
  ): Promise<boolean>;
  /** Ends the session: its refresh tokens and its access tokens stop working. */
  revoke(sessionId: string, session: SessionRecord, at: string): Promise<void>;
}

/** The login throttle's counters (users.throttle.ts has the rules). */
export interface LoginAttempts {
  /**
   * Reads the counters under `keys`, lets `decide` admit (with the counters to write) or refuse,
   * and commits the writes atomically; a concurrent change makes it read and decide again.
   */
  update(
    keys: readonly string[],
    decide: (records: ReadonlyMap<string, AttemptRecord>) => Admission,
  ): Promise<Admission>;
  forget(key: string): Promise<void>;
  isKnownSource(userId: string, source: string): Promise<boolean>;
  rememberSource(userId: string, source: string, ttlSeconds: number): Promise<void>;
}

/** Tells every gateway that access ended early, so none keeps a cached "still valid". */
export interface RevocationNotices {
  /** Best effort: the gateways' short cache is the fallback for a notice that is lost. */
  announce(notice: AccessRevoked): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** Counts owned by other services (follows, posts); null where a service could not answer. */
export interface CountsSource {
  countsOf(
    userId: string,
  ): Promise<{ followers: number | null; following: number | null; posts: number | null }>;
}

export interface TokenIssuer {
  accessToken(user: AuthUser, sessionId: string): Promise<string>;
  accessTokenTtlSeconds: number;
  /** A new opaque refresh token and the hash it is stored under. */
  refreshToken(): { token: string; hash: string };
  hashOf(refreshToken: string): string;
}

export class UsernameOrEmailTaken extends Error {}

export interface Clock {
  now(): Date;
}

export interface Session {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  user: AuthUser;
}

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** What a registration answers, whether or not the email address was already in use. */
export const REGISTRATION_ACCEPTED =
  'If the email address is not in use yet, the account is ready: sign in with your username.';

export function toPublic(user: UserRecord): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    createdAt: user.createdAt,
  };
}

export class UsersDomain {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionRepository,
    private readonly attempts: LoginAttempts,
    private readonly notices: RevocationNotices,
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly counts: CountsSource,
    private readonly clock: Clock,
    /** A real hash of a random password: unknown users cost as much to reject as known ones. */
    private readonly decoyHash: string,
  ) {}

  /**
   * Usernames are public, so a taken one is a 409. Whether an email address has an account is
   * not: a taken address gets the same 202 as a new account, after the same password hashing,
   * and creates nothing (a product with outgoing mail would tell the address's owner).
   */
  async register(request: RegisterRequest): Promise<void> {
    const [byUsername, byEmail] = await Promise.all([
      this.users.idByUsername(request.username),
      this.users.idByEmail(request.email),
    ]);
    if (byUsername !== undefined) throw usernameTaken(request.username);
    const passwordHash = await this.passwords.hash(request.password);
    if (byEmail !== undefined) return;
    const now = this.clock.now().toISOString();
    try {
      await this.users.create({
        kind: 'user',
        id: randomUUID(),
        username: request.username,
        email: request.email,
        displayName: request.displayName ?? request.username,
        bio: '',
        passwordHash,
        createdAt: now,
        updatedAt: now,
      });
    } catch (error) {
      // Lost a race with a concurrent registration: only a taken username may say so.
      if (!(error instanceof UsernameOrEmailTaken)) throw error;
      if ((await this.users.idByUsername(request.username)) !== undefined)
        throw usernameTaken(request.username);
    }
  }

  /**
   * The same 401 for an unknown login and a wrong password, in about the same time. Each attempt
   * must first be admitted by the throttle (users.throttle.ts), which counts it atomically;
   * `source` is the client address as the gateway keys it.
   */
  async login(request: LoginRequest, source: string): Promise<Session> {
    const login = request.login.toLowerCase();
    const id = login.includes('@')
      ? await this.users.idByEmail(login)
      : await this.users.idByUsername(login);
    const user = id === undefined ? undefined : await this.users.byId(id);
    // Username and email share one counter: the account's, by id.
    const keys = loginCounterKeys(user ? `user:${user.id}` : `login:${login}`, source);
    const known = user !== undefined && (await this.attempts.isKnownSource(user.id, source));
    const nowMs = this.clock.now().getTime();
    const admission = await this.attempts.update(Object.values(keys), (records) =>
      admit(loginCounters(keys, known, records), nowMs),
    );
    if (!admission.admitted)
      throw tooManyRequests(
        'Too many failed logins; try again later.',
        admission.retryAfterSeconds,
      );
    const ok = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, request.password);
    if (!user || !ok) throw unauthorized('The login or password is wrong.');
    await Promise.all([
      this.attempts.forget(keys.pair),
      this.attempts.update([keys.account, keys.source], (records) => refund(records, nowMs)),
      this.attempts.rememberSource(user.id, source, KNOWN_SOURCE_SECONDS),
    ]);
    return this.openSession({ id: user.id, username: user.username });
  }

  /**
   * Refresh tokens rotate: each refresh spends the session's current token and issues the next.
   * A token that is not the current one (spent before, by the owner or by a thief) ends the whole
   * session, so whoever holds the newer token loses it too and must sign in again.
   */
  async refresh(refreshToken: string): Promise<Session> {
    const invalid = () => unauthorized('The refresh token is invalid, expired or already used.');
    const hash = this.tokens.hashOf(refreshToken);
    const grant = await this.sessions.grant(hash);
    const session = grant && (await this.sessions.session(grant.sessionId));
    if (!grant || !session || session.value.revokedAt !== undefined) throw invalid();
    const user = await this.users.byId(grant.userId);
    if (!user) throw invalid();
    const next = this.tokens.refreshToken();
    const rotated =
      session.value.current === hash &&
      (await this.sessions.rotate(grant.sessionId, session, next.hash, REFRESH_TOKEN_TTL_SECONDS));
    if (!rotated) {
      await this.endSession(grant.userId, grant.sessionId);
      throw invalid();
    }
    return this.session({ id: user.id, username: user.username }, grant.sessionId, next.token);
  }

  /** Ends the caller's session and, if a refresh token of another of their sessions is given, that one. */
  async logout(caller: AuthUser, sessionId: string, refreshToken?: string): Promise<void> {
    await this.endSession(caller.id, sessionId);
    const grant = refreshToken
      ? await this.sessions.grant(this.tokens.hashOf(refreshToken))
      : undefined;
    if (grant && grant.userId === caller.id && grant.sessionId !== sessionId)
      await this.endSession(caller.id, grant.sessionId);
  }

  /** Whether an access token of this user and session no longer grants anything. */
  async isRevoked(userId: string, sessionId: string): Promise<boolean> {
    const [session, user] = await Promise.all([
      this.sessions.session(sessionId),
      this.users.byId(userId),
    ]);
    return (
      !user || !session || session.value.userId !== userId || session.value.revokedAt !== undefined
    );
  }

  async me(caller: AuthUser): Promise<PublicUser & { email: string }> {
    const user = await this.existing(caller.id);
    return { ...toPublic(user), email: user.email };
  }

  list(limit: number, cursor?: string): Promise<Page<PublicUser>> {
    return this.users
      .list(limit, cursor)
      .then((page) => ({ ...page, items: page.items.map(toPublic) }));
  }

  async profile(id: string): Promise<UserProfile> {
    const user = await this.existing(id);
    return { ...toPublic(user), ...(await this.counts.countsOf(id)) };
  }

  async update(caller: AuthUser, id: string, patch: UpdateUserRequest): Promise<PublicUser> {
    const user = await this.ownAccount(caller, id);
    const updated: UserRecord = {
      ...user,
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.bio !== undefined ? { bio: patch.bio } : {}),
      updatedAt: this.clock.now().toISOString(),
    };
    await this.users.update(updated);
    return toPublic(updated);
  }

  /** Every token of the account stops working at once: no session outlives its user. */
  async remove(caller: AuthUser, id: string): Promise<void> {
    await this.users.remove(await this.ownAccount(caller, id));
    await this.notices.announce({ userId: id });
  }

  private async openSession(user: AuthUser): Promise<Session> {
    const sessionId = randomUUID();
    const refresh = this.tokens.refreshToken();
    await this.sessions.open(sessionId, user.id, refresh.hash, REFRESH_TOKEN_TTL_SECONDS);
    return this.session(user, sessionId, refresh.token);
  }

  private async session(user: AuthUser, sessionId: string, refreshToken: string): Promise<Session> {
    return {
      accessToken: await this.tokens.accessToken(user, sessionId),
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
      refreshToken,
      user,
    };
  }

  private async endSession(userId: string, sessionId: string): Promise<void> {
    const session = await this.sessions.session(sessionId);
    if (!session || session.value.userId !== userId) return;
    if (session.value.revokedAt === undefined)
      await this.sessions.revoke(sessionId, session.value, this.clock.now().toISOString());
    await this.notices.announce({ userId, sessionId });
  }

  private async existing(id: string): Promise<UserRecord> {
    const user = await this.users.byId(id);
    if (!user) throw notFound(`User ${id} does not exist.`);
    return user;
  }

  /** 404 for what does not exist; 403 for someone else's account. */
  private async ownAccount(caller: AuthUser, id: string): Promise<UserRecord> {
    const user = await this.existing(id);
    if (user.id !== caller.id) throw forbidden('You can only change your own account.');
    return user;
  }
}

const usernameTaken = (username: string) => conflict(`The username "${username}" is taken.`);
