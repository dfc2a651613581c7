import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@flock/kit';
import { startPlatform, type Platform } from '@flock/sidecar';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string; username: string };
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** The whole platform of a test, and a client of its public API. */
export interface TestPlatform {
  readonly platform: Platform;
  readonly gatewayUrl: string;
  /** `/api/v1` + route; JSON in and out (an empty body reads as `{}`). */
  call<T = Record<string, unknown>>(
    method: string,
    route: string,
    token?: string,
    body?: unknown,
  ): Promise<Answer<T>>;
  /** Registers `username` (email `<username>@example.com`) and logs in. */
  signUp(username: string, password?: string): Promise<Session>;
  stop(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery';

/**
 * The embedded platform exactly as `npm start` runs it (dapr.yaml), on free ports and a throwaway
 * data folder, with `env` for every app (e.g. limits or tracing).
 */
export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flock-test-'));
  const platform = await startPlatform({
    runFile: path.join(root, 'dapr.yaml'),
    ports: 'ephemeral',
    dataDir,
    env,
    logger: createLogger('test-platform', 'silent'),
  });
  const gatewayUrl = platform.gatewayUrl!;
  const call = async <T>(
    method: string,
    route: string,
    token?: string,
    body?: unknown,
  ): Promise<Answer<T>> => {
    const response = await fetch(`${gatewayUrl}/api/v1${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : {}) as T,
    };
  };
  return {
    platform,
    gatewayUrl,
    call,
    async signUp(username, password = TEST_PASSWORD) {
      const registered = await call('POST', '/auth/register', undefined, {
        username,
        email: `${username}@example.com`,
        password,
      });
      if (registered.status !== 202)
        throw new Error(
          `register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`,
        );
      const login = await call<Session>('POST', '/auth/login', undefined, {
        login: username,
        password,
      });
      if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
      return login.body;
    },
    async stop() {
      await platform.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
