import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '@flock/kit';
import { describeIfReachable } from '@flock/testing';
import { loadComponents, loadResiliency, startSidecar } from '../../src/index.js';
import { loadSubscriptions } from '../../src/pubsub/subscriptions.js';
import { findDaprd, startDaprd } from '@flock/runner';

/**
 * The differential conformance suite: each case runs on Flock's sidecar and on the real daprd,
 * with the same resources folder. daprd is the reference: where the two answer differently, the
 * sidecar is wrong, unless the case says why it cannot be helped.
 */
export type TestRuntime = 'sidecar' | 'daprd';

const daprd = findDaprd();
export const daprdBuilt = daprd !== undefined;
const logDir = tmpdir();

/** `body` once per runtime; the daprd pass is skipped (failing in CI) when no daprd is built. */
export function describeOnRuntimes(title: string, body: (runtime: TestRuntime) => void): void {
  describe(`${title} (Flock's sidecar)`, () => body('sidecar'));
  describeIfReachable(daprd !== undefined, 'daprd (bash scripts/dapr/build-daprd.sh)')(
    `${title} (daprd)`,
    () => body('daprd'),
  );
}

export interface TestSidecar {
  readonly runtime: TestRuntime;
  readonly port: number;
  readonly url: string;
  connectApp(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  appId: string;
  /** A folder of resources, as daprd's --resources-path. */
  resources: string;
  apiToken?: string;
  app?: { port: number; appApiToken?: string };
  /** Extra environment for daprd (Flock's sidecar reads this process's own). */
  env?: Record<string, string>;
}

/** Writes `yaml` as `components.yaml` of a new folder, and `more` files beside it; the folder. */
export async function resourcesFolder(
  yaml: string,
  more: Record<string, string> = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sidecar-resources-'));
  await writeFile(path.join(dir, 'components.yaml'), yaml);
  for (const [name, text] of Object.entries(more)) await writeFile(path.join(dir, name), text);
  return dir;
}

export const removeFolder = (dir: string) => rm(dir, { recursive: true, force: true });

export async function startOn(runtime: TestRuntime, options: StartOptions): Promise<TestSidecar> {
  if (runtime === 'sidecar') {
    const sidecar = await startSidecar({
      appId: options.appId,
      httpPort: 0,
      components: await loadComponents(options.resources),
      resiliency: await loadResiliency(options.resources),
      subscriptions: await loadSubscriptions(
        options.resources,
        options.appId,
        createLogger('conformance', 'silent'),
      ),
      logLevel: process.env.SIDECAR_LOG ?? 'silent',
      ...(options.apiToken ? { apiToken: options.apiToken } : {}),
      ...(options.app
        ? {
            app: {
              host: '127.0.0.1',
              port: options.app.port,
              appApiToken: options.app.appApiToken,
            },
          }
        : {}),
    });
    return { runtime, ...sidecarParts(sidecar) };
  }
  const previous = { ...process.env };
  Object.assign(process.env, options.env ?? {});
  try {
    const started = await startDaprd({
      daprd: daprd!,
      appId: options.appId,
      httpPort: 0,
      resourcesPath: options.resources,
      cwd: options.resources,
      ...(options.app ? { appPort: options.app.port } : {}),
      ...(options.apiToken ? { apiToken: options.apiToken } : {}),
      ...(options.app?.appApiToken ? { appApiToken: options.app.appApiToken } : {}),
      // Never inside the resources folder: daprd watches it and reloads on every write.
      logFile: path.join(logDir, `${options.appId}.daprd.log`),
      logLevel: 'warn',
      logger: createLogger('conformance', 'silent'),
    });
    await started.started;
    return {
      runtime,
      port: started.port,
      url: started.url,
      connectApp: () => started.connectApp(60_000),
      stop: () => started.stop(5_000),
    };
  } finally {
    process.env = previous;
  }
}

const sidecarParts = (s: Awaited<ReturnType<typeof startSidecar>>) => ({
  port: s.port,
  url: s.url,
  connectApp: () => s.connectApp(),
  stop: () => s.stop(),
});
