import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_IDS, PUBLIC_API_PREFIX, createLogger } from '@flock/kit';
import { loadComponents } from '@flock/sidecar';
import {
  createThrowawayDatabase,
  profileFolder,
  startPlatform,
  type Platform,
  type Runtime,
} from '@flock/runner';
import { purgeBackends } from './backends.js';

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
  /** PUBLIC_API_PREFIX + route; JSON in and out (an empty body reads as `{}`). */
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

export interface TestPlatformOptions {
  /** Environment for every app (e.g. limits or tracing). */
  env?: Record<string, string>;
  /** Default $FLOCK_TEST_PROFILE, else `embedded`. */
  profile?: string;
  /** Default $FLOCK_TEST_RUNTIME, else Flock's sidecar. */
  runtime?: Runtime;
}

/** The profile and runtime the whole-platform suites run on: CI's matrix sets both. */
export const testProfile = () => process.env.FLOCK_TEST_PROFILE ?? 'embedded';
export const testRuntime = (): Runtime =>
  process.env.FLOCK_TEST_RUNTIME === 'daprd' ? 'daprd' : 'sidecar';
/** Where a whole-platform suite runs, for its title: "postgres-redis on daprd". */
export const platformLabel = () => `${testProfile()} on ${testRuntime()}`;

/**
 * The platform exactly as `npm start` runs it (dapr.yaml), on free ports and a throwaway data
 * folder. On a local profile it also gets a database of its own, and brokers cleared of what
 * earlier runs left.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const profile = options.profile ?? testProfile();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flock-test-'));
  const database = profile === 'embedded' ? undefined : await createThrowawayDatabase();
  if (profile !== 'embedded') {
    await purgeBackends(await loadComponents(profileFolder(root, profile)), Object.values(APP_IDS));
  }
  const start = () =>
    startPlatform({
      runFile: path.join(root, 'dapr.yaml'),
      profile,
      runtime: options.runtime ?? testRuntime(),
      ports: 'ephemeral',
      dataDir,
      ...(database ? { postgresUrl: database.url } : {}),
      env: options.env ?? {},
      logger: createLogger('test-platform', 'silent'),
    });
  let platform: Platform;
  try {
    platform = await start().catch((error: Error) => {
      // Under daprd an app is told a port picked before it starts; another run on the machine
      // can bind that port first. The platform stopped itself: start it once more, anew.
      if (!/EADDRINUSE/.test(error.message)) throw error;
      return start();
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const gatewayUrl = platform.gatewayUrl!;
  const call = async <T>(
    method: string,
    route: string,
    token?: string,
    body?: unknown,
  ): Promise<Answer<T>> => {
    const response = await fetch(`${gatewayUrl}${PUBLIC_API_PREFIX}${route}`, {
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
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
