import { randomUUID } from 'node:crypto';
import { conflict, notFound, unauthorized, type AuthUser } from '@flock/kit';
import type { LoginRequest, PublicUser, RegisterRequest, UserRecord } from './users.schemas.js';

/** The storage the domain needs; users.store.ts implements it over Dapr state. */
export interface UserRepository {
  byId(id: string): Promise<UserRecord | undefined>;
  idByUsername(username: string): Promise<string | undefined>;
  idByEmail(email: string): Promise<string | undefined>;
  /** Inserts the user and claims its username and email; throws UsernameOrEmailTaken if either is taken. */
  create(user: UserRecord): Promise<void>;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export class UsernameOrEmailTaken extends Error {}

export interface Clock {
  now(): Date;
}

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
    private readonly passwords: PasswordHasher,
    private readonly clock: Clock,
    /** A real hash of a random password: unknown users cost as much to reject as known ones. */
    private readonly decoyHash: string,
  ) {}

  async register(request: RegisterRequest): Promise<PublicUser> {
    await this.assertAvailable(request.username, request.email);
    const now = this.clock.now().toISOString();
    const user: UserRecord = {
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
      if (error instanceof UsernameOrEmailTaken)
        await this.assertAvailable(request.username, request.email);
      throw error;
    }
    return toPublic(user);
  }

  /** The same 401 for an unknown login and a wrong password, in about the same time. */
  async authenticate(request: LoginRequest): Promise<AuthUser> {
    const login = request.login.toLowerCase();
    const id = login.includes('@')
      ? await this.users.idByEmail(login)
      : await this.users.idByUsername(login);
    const user = id === undefined ? undefined : await this.users.byId(id);
    const ok = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, request.password);
    if (!user || !ok) throw unauthorized('The login or password is wrong.');
    return { id: user.id, username: user.username };
  }

  async profile(id: string): Promise<PublicUser> {
    const user = await this.users.byId(id);
    if (!user) throw notFound(`User ${id} does not exist.`);
    return toPublic(user);
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
