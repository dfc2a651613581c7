/** Starts the whole platform for a benchmark: ephemeral ports, a throwaway data folder. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { createLogger } from '@flock/kit';
import { createThrowawayDatabase, startPlatform, type Platform, type Runtime } from '@flock/runner';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `postgres-redis` (real servers on loopback) when that profile exists, else `embedded`. */
export function defaultProfile(): string {
  return existsSync(path.join(repoRoot, 'components/local/postgres-redis'))
    ? 'postgres-redis'
    : 'embedded';
}

export interface FlockOptions {
  profile: string;
  /** Flock's own sidecar (default) or the real daprd. */
  runtime?: Runtime;
  /** App ids to leave out (e.g. one that cannot start on this profile yet). */
  without?: readonly string[];
  env?: Record<string, string>;
}

export interface RunningFlock {
  platform: Platform;
  stop(): Promise<void>;
}

export async function startFlock(options: FlockOptions): Promise<RunningFlock> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'flock-bench-'));
  const runFile = await isolatedRunFile(dataDir, options.profile, options.without ?? []);
  const servers = await isolatedServers(options.profile, path.join(dataDir, 'data'));
  try {
    const platform = await startPlatform({
      runFile,
      profile: options.profile,
      runtime: options.runtime ?? 'sidecar',
      ports: 'ephemeral',
      dataDir: path.join(dataDir, 'data'),
      env: {
        RATE_LIMIT_USER_PER_MINUTE: '100000000',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000',
        // A login refused under load (a 409 the seeder retries) counts as a failure here.
        RATE_LIMIT_LOGIN_FAILURES_PER_MINUTE: '100000000',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      logger: createLogger('bench', 'warn'),
    });
    return {
      platform,
      stop: async () => {
        await platform.stop();
        await servers.cleanup();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await servers.cleanup();
    throw new Error(
      `${(error as Error).message}\n(app logs are kept in ${path.join(dataDir, 'data')})`,
    );
  }
}

/**
 * A copy of dapr.yaml (minus `without`) and of the profile's components in a throwaway folder,
 * with every Redis component moved to a Redis database nobody else uses: a benchmark must not
 * share streams and consumer groups with a developer's `npm start` or a test run on the same
 * servers.
 */
async function isolatedRunFile(dir: string, profile: string, without: readonly string[]) {
  const source = parse(await readFile(path.join(repoRoot, 'dapr.yaml'), 'utf8')) as {
    apps: Array<{ appID: string; appDirPath: string }>;
  };
  source.apps = source.apps
    .filter((app) => !without.includes(app.appID))
    .map((app) => ({ ...app, appDirPath: path.resolve(repoRoot, app.appDirPath) }));
  const relative = existsSync(path.join(repoRoot, 'components', profile))
    ? profile
    : path.join('local', profile);
  const from = path.join(repoRoot, 'components', relative);
  const to = path.join(dir, 'components', relative);
  await mkdir(to, { recursive: true });
  const redisDb = profile === 'embedded' ? 0 : await freeRedisDb();
  for (const file of await readdir(from)) {
    const text = await readFile(path.join(from, file), 'utf8');
    const docs = parseAllDocuments(text).map((doc) => {
      const component = doc.toJS() as {
        spec?: { type?: string; metadata?: Array<{ name: string; value?: string }> };
      };
      const metadata = component.spec?.metadata;
      if (redisDb && /^(pubsub|state)\.redis/.test(component.spec?.type ?? '') && metadata) {
        if (!metadata.some((m) => m.name === 'redisDB'))
          metadata.push({ name: 'redisDB', value: String(redisDb) });
      }
      return stringify(component);
    });
    await writeFile(path.join(to, file), docs.join('---\n'));
  }
  const file = path.join(dir, 'dapr.yaml');
  await writeFile(file, stringify(source));
  return file;
}

/**
 * For a profile on real servers: a fresh Postgres database for the run (its URL written as the
 * `postgres-url` secret the components read), dropped afterwards with the Redis database.
 */
async function isolatedServers(profile: string, dataDir: string) {
  if (profile === 'embedded') return { cleanup: async () => undefined };
  const database = await createThrowawayDatabase('flock_bench');
  await mkdir(dataDir, { recursive: true });
  await writeFile(
    path.join(dataDir, 'secrets.json'),
    `${JSON.stringify({ 'postgres-url': database.url })}\n`,
  );
  let done = false;
  return {
    cleanup: async () => {
      if (done) return;
      done = true;
      if (usedRedisDb) {
        await redis([['SELECT', String(usedRedisDb)], ['FLUSHDB']]).catch(() => undefined);
      }
      await database.drop().catch(() => undefined);
    },
  };
}

let usedRedisDb = 0;

/** An empty Redis database among 1–15 (db 0 is the developers'). */
async function freeRedisDb(): Promise<number> {
  const info = await redis([['INFO', 'keyspace']]);
  const used = new Set([...info.matchAll(/^db(\d+):/gm)].map((m) => Number(m[1])));
  const free = Array.from({ length: 15 }, (_, i) => 15 - i).filter((db) => !used.has(db));
  if (!free.length) throw new Error('no empty Redis database (1–15) for the benchmark');
  usedRedisDb = free[Math.floor(Math.random() * free.length)]!;
  return usedRedisDb;
}

/** A few Redis commands over RESP on 127.0.0.1:6379; resolves with the raw replies. */
function redis(commands: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(6379, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('error', reject);
    socket.on('end', () => resolve(reply));
    const encode = (args: string[]) =>
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    socket.write(commands.map(encode).join('') + encode(['QUIT']));
  });
}
