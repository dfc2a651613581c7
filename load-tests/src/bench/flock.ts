/** Starts the whole platform for a benchmark: ephemeral ports, a throwaway data folder. */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { createLogger } from '@flock/kit';
import { startPlatform, type Platform } from '@flock/sidecar';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `postgres-redis` (real servers on loopback) when that profile exists, else `embedded`. */
export function defaultProfile(): string {
  return existsSync(path.join(repoRoot, 'components/local/postgres-redis'))
    ? 'postgres-redis'
    : 'embedded';
}

export interface FlockOptions {
  profile: string;
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
  let runFile = path.join(repoRoot, 'dapr.yaml');
  if (options.without?.length) runFile = await filteredRunFile(dataDir, options.without);
  try {
    const platform = await startPlatform({
      runFile,
      profile: options.profile,
      ports: 'ephemeral',
      dataDir: path.join(dataDir, 'data'),
      env: {
        RATE_LIMIT_USER_PER_MINUTE: '100000000',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      logger: createLogger('bench', 'warn'),
    });
    return {
      platform,
      stop: async () => {
        await platform.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n(app logs are kept in ${path.join(dataDir, 'data')})`,
    );
  }
}

/** dapr.yaml minus some apps, beside a link to components/ so profiles still resolve. */
async function filteredRunFile(dir: string, without: readonly string[]): Promise<string> {
  const source = parse(await readFile(path.join(repoRoot, 'dapr.yaml'), 'utf8')) as {
    apps: Array<{ appID: string; appDirPath: string }>;
  };
  source.apps = source.apps
    .filter((app) => !without.includes(app.appID))
    .map((app) => ({ ...app, appDirPath: path.resolve(repoRoot, app.appDirPath) }));
  await symlink(path.join(repoRoot, 'components'), path.join(dir, 'components'));
  const file = path.join(dir, 'dapr.yaml');
  await writeFile(file, stringify(source));
  return file;
}
