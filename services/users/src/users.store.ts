import { AppError, type StateStore } from '@flock/kit';
import { UsernameOrEmailTaken, type UserRepository } from './users.domain.js';
import type { UserRecord } from './users.schemas.js';

// Key layout in the users store. Index keys make username and email unique: they are inserted
// with first-write and no etag in the same transaction as the user, so a second claim fails.
const userKey = (id: string) => `user:${id}`;
const usernameKey = (username: string) => `username:${username}`;
const emailKey = (email: string) => `email:${email}`;

interface IndexEntry {
  userId: string;
}

export class DaprUserRepository implements UserRepository {
  constructor(private readonly state: StateStore) {}

  async byId(id: string): Promise<UserRecord | undefined> {
    return (await this.state.get<UserRecord>(userKey(id)))?.value;
  }

  async idByUsername(username: string): Promise<string | undefined> {
    return (await this.state.get<IndexEntry>(usernameKey(username)))?.value.userId;
  }

  async idByEmail(email: string): Promise<string | undefined> {
    return (await this.state.get<IndexEntry>(emailKey(email)))?.value.userId;
  }

  async create(user: UserRecord): Promise<void> {
    const claim = { userId: user.id } satisfies IndexEntry;
    try {
      await this.state.transact([
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
      ]);
    } catch (error) {
      // daprd reports any failed transaction as a 500; an insert-only conflict is the likely cause.
      if (error instanceof AppError && error.status >= 500)
        throw new UsernameOrEmailTaken(error.message, { cause: error });
      throw error;
    }
  }
}
