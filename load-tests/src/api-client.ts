import { PUBLIC_API_PREFIX } from '@flock/kit';

/** A minimal client of Flock's public API for seeding and benchmarks. */
export interface Session {
  accessToken: string;
  /** Trades for a new access token (`POST /auth/refresh`) without hashing a password again. */
  refreshToken: string;
  user: { id: string; username: string };
}

export const DEFAULT_PASSWORD = 'correct horse battery';

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, route: string, token?: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${PUBLIC_API_PREFIX}${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async signUp(username: string, password = DEFAULT_PASSWORD): Promise<Session> {
    await this.call('POST', '/auth/register', undefined, {
      username,
      email: `${username}@example.com`,
      password,
    });
    return this.call<Session>('POST', '/auth/login', undefined, { login: username, password });
  }

  /** A fresh access token for a session (they live 15 minutes). */
  async refresh(session: Session): Promise<Session> {
    return this.call<Session>('POST', '/auth/refresh', undefined, {
      refreshToken: session.refreshToken,
    });
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}
