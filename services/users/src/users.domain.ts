import { randomUUID } from 'node:crypto';
import {
  conflict,
  forbidden,
  notFound,
  tooManyRequests,
  unauthorized,
  type AuthUser,
  type Page,
} from '@flock/kit';
import type {
  LoginRequest,
  PublicUser,
  RegisterRequest,
  UpdateUserRequest,
  UserProfile,
  UserRecord,
} from './users.schemas.js';

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

export interface SessionRepository {
  /** Stores a refresh token (by its hash) for `ttlSeconds`. */
  saveRefreshToken(tokenHash: string, userId: string, ttlSeconds: number): Promise<void>;
  /** Removes the token and says whose it was; undefined if unknown, expired or already spent. */
  spendRefreshToken(tokenHash: string): Promise<string | undefined>;
  revokeAccessToken(tokenId: string, ttlSeconds: number): Promise<void>;
  isAccessTokenRevoked(tokenId: string): Promise<boolean>;
  /** Counts a failed login for `login` within a window; returns the count so far. */
  recordLoginFailure(login: string, windowSeconds: number): Promise<number>;
  loginFailures(login: string): Promise<number>;
  clearLoginFailures(login: string): Promise<void>;
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
  accessToken(user: AuthUser): Promise<string>;
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
/** Failed logins per login name before further attempts are refused for the window. */
export const MAX_LOGIN_FAILURES = 5;
export const LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60;

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
    private readonly passwords: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly counts: CountsSource,
    private readonly clock: Clock,
    /** A real hash of a random password: unknown users cost as much to reject as known ones. */
    private readonly decoyHash: string,
  ) {}

  async register(request: RegisterRequest): Promise<PublicUser> {
    await this.assertAvailable(request.username, request.email);
    const now = this.clock.now().toISOString();
    const user: UserRecord = {
      kind: 'user',
      id: randomUUID(),
      username: request.username,
      email: request.email,
      displayName: request.displayName ?? request.username,
      bio: '',
      passwordHash: await this.passwords.hash(request.password),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.users.create(user);
    } catch (error) {
      // Lost a race with a concurrent registration: report which name it was.
      if (!(error instanceof UsernameOrEmailTaken)) throw error;
      await this.assertAvailable(request.username, request.email);
      throw conflict('The username or email was just taken; try again.');
    }
    return toPublic(user);
  }

  /**
   * The same 401 for an unknown login and a wrong password, in about the same time. After
   * MAX_LOGIN_FAILURES failures for one login name, attempts get 429 until the window passes.
   */
  async login(request: LoginRequest): Promise<Session> {
    const login = request.login.toLowerCase();
    if ((await this.sessions.loginFailures(login)) >= MAX_LOGIN_FAILURES) {
      throw tooManyRequests(
        'Too many failed logins for this account; try again later.',
        LOGIN_FAILURE_WINDOW_SECONDS,
      );
    }
    const id = login.includes('@')
      ? await this.users.idByEmail(login)
      : await this.users.idByUsername(login);
    const user = id === undefined ? undefined : await this.users.byId(id);
    const ok = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, request.password);
    if (!user || !ok) {
      await this.sessions.recordLoginFailure(login, LOGIN_FAILURE_WINDOW_SECONDS);
      throw unauthorized('The login or password is wrong.');
    }
    await this.sessions.clearLoginFailures(login);
    return this.openSession({ id: user.id, username: user.username });
  }

  /** Refresh tokens are single use: each refresh spends the old one and issues a new one. */
  async refresh(refreshToken: string): Promise<Session> {
    const userId = await this.sessions.spendRefreshToken(this.tokens.hashOf(refreshToken));
    const user = userId === undefined ? undefined : await this.users.byId(userId);
    if (!user) throw unauthorized('The refresh token is invalid, expired or already used.');
    return this.openSession({ id: user.id, username: user.username });
  }

  async logout(tokenId: string, tokenExpiresAt: number, refreshToken?: string): Promise<void> {
    const remaining = Math.max(1, tokenExpiresAt - Math.floor(this.clock.now().getTime() / 1000));
    await this.sessions.revokeAccessToken(tokenId, remaining);
    if (refreshToken) await this.sessions.spendRefreshToken(this.tokens.hashOf(refreshToken));
  }

  isRevoked(tokenId: string): Promise<boolean> {
    return this.sessions.isAccessTokenRevoked(tokenId);
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

  async remove(caller: AuthUser, id: string): Promise<void> {
    await this.users.remove(await this.ownAccount(caller, id));
  }

  private async openSession(user: AuthUser): Promise<Session> {
    const refresh = this.tokens.refreshToken();
    await this.sessions.saveRefreshToken(refresh.hash, user.id, REFRESH_TOKEN_TTL_SECONDS);
    return {
      accessToken: await this.tokens.accessToken(user),
      tokenType: 'Bearer',
      expiresIn: this.tokens.accessTokenTtlSeconds,
      refreshToken: refresh.token,
      user,
    };
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

  private async assertAvailable(username: string, email: string): Promise<void> {
    const [byUsername, byEmail] = await Promise.all([
      this.users.idByUsername(username),
      this.users.idByEmail(email),
    ]);
    if (byUsername !== undefined) throw conflict(`The username "${username}" is taken.`);
    if (byEmail !== undefined) throw conflict('An account with this email already exists.');
  }
}
