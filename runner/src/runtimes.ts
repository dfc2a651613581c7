import path from 'node:path';
import type { Logger } from '@flock/kit';
import {
  loadSubscriptions,
  startSidecar,
  type AppAddress,
  type ComponentDefinition,
  type Resiliency,
} from '@flock/sidecar';
import { findDaprd, startDaprd, writeDaprdConfig, type DaprdProcess } from './daprd.js';
import { provisionBrokers } from './provision.js';

/**
 * The Dapr runtime beside each app: Flock's own sidecar (in this process, the default: nothing to
 * install) or the real daprd (one process per app). `auto` takes daprd when it is installed and
 * the profile can run on it.
 */
export type RuntimeChoice = 'sidecar' | 'daprd' | 'auto';
export type Runtime = Exclude<RuntimeChoice, 'auto'>;

/** What the runner needs of a sidecar, whichever runtime it is. */
export interface RunningSidecar {
  readonly port: number;
  readonly url: string;
  /** daprd's own log file; Flock's sidecar logs inside the runner. */
  readonly logFile?: string;
  /** Resolves once the sidecar talks to its app (subscriptions read, deliveries started). */
  connectApp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Profiles daprd cannot run: the embedded one's in-memory pub/sub is per daprd process (ours is
 * shared by every sidecar of the runner), so the apps would not hear each other's events.
 */
const SIDECAR_ONLY_PROFILES = new Set(['embedded']);

export function resolveRuntime(choice: RuntimeChoice, profile: string): Runtime {
  const daprdRuns = !SIDECAR_ONLY_PROFILES.has(profile);
  if (choice === 'auto') return daprdRuns && findDaprd() ? 'daprd' : 'sidecar';
  if (choice === 'daprd' && !daprdRuns) {
    throw new Error(
      `The "${profile}" profile runs only on Flock's sidecar: its in-memory pub/sub is per daprd ` +
        'process, so apps on daprd would not hear each other. Pick a local profile ' +
        '(postgres-redis, postgres-rabbitmq, postgres-jetstream, postgres-mqtt) for daprd.',
    );
  }
  return choice;
}

export interface SidecarPlan {
  appId: string;
  /** The app's address; on the sidecar runtime a port of 0 is filled in once the app reports it. */
  address: AppAddress & { appApiToken: string };
  httpPort: number;
  apiToken: string;
}

export interface StartSidecarsOptions {
  runtime: Runtime;
  plans: readonly SidecarPlan[];
  /** The profile's resources folder (daprd reads it itself). */
  resourcesPath: string;
  /** The same components as read by the runner, with absolute paths (Flock's sidecar). */
  components: ComponentDefinition[];
  resiliency: Resiliency;
  dataDir: string;
  logs: 'file' | 'console';
  logger: Logger;
}

const DAPRD_STOP_GRACE_MS = 10_000;
const DAPRD_START_ATTEMPTS = 3;

/** Starts one sidecar per plan and resolves once each serves its API (apps not yet running). */
export async function startSidecars(options: StartSidecarsOptions): Promise<RunningSidecar[]> {
  const { plans } = options;
  if (options.runtime === 'sidecar') {
    const registry = new Map<string, AppAddress>(plans.map((p) => [p.appId, p.address]));
    const sidecars: RunningSidecar[] = [];
    try {
      for (const p of plans) {
        sidecars.push(
          await startSidecar({
            appId: p.appId,
            app: p.address,
            httpPort: p.httpPort,
            components: options.components,
            resolveApp: (appId) => registry.get(appId),
            apiToken: p.apiToken,
            logLevel: 'warn',
            resiliency: options.resiliency,
            subscriptions: await loadSubscriptions(options.resourcesPath, p.appId, options.logger),
          }),
        );
      }
    } catch (error) {
      await Promise.all(sidecars.map((s) => s.stop()));
      throw error;
    }
    return sidecars;
  }
  const daprd = findDaprd();
  if (!daprd) {
    throw new Error(
      'daprd was not found ($FLOCK_DAPRD, the PATH, ~/.dapr/bin, /var/cache/flock): build it ' +
        'with `bash scripts/dapr/build-daprd.sh`',
    );
  }
  await provisionBrokers(options.components);
  const configFile = await writeDaprdConfig(options.dataDir);
  const processes: DaprdProcess[] = [];
  const stopAll = () =>
    Promise.all(processes.filter(Boolean).map((p) => p.stop(DAPRD_STOP_GRACE_MS)));
  // A daprd that exits before it is up is started again, on fresh ports: a port checked free
  // can still be taken by another process before daprd binds it.
  const logFileOf = (p: SidecarPlan) =>
    options.logs === 'file' ? path.join(options.dataDir, `${p.appId}.daprd.log`) : undefined;
  const startOne = async (p: SidecarPlan, i: number): Promise<void> => {
    const logFile = logFileOf(p);
    for (let attempt = 1; ; attempt++) {
      const process = await startDaprd({
        daprd,
        appId: p.appId,
        appPort: p.address.port,
        httpPort: p.httpPort,
        apiToken: p.apiToken,
        appApiToken: p.address.appApiToken,
        resourcesPath: options.resourcesPath,
        configFile,
        cwd: options.dataDir,
        ...(logFile ? { logFile } : {}),
        logger: options.logger,
      });
      try {
        await process.started;
        processes[i] = process;
        return;
      } catch (error) {
        await process.stop(DAPRD_STOP_GRACE_MS);
        if (attempt === DAPRD_START_ATTEMPTS) throw error;
        options.logger.warn(
          { err: error, appId: p.appId },
          'daprd did not start; starting it again',
        );
      }
    }
  };
  try {
    await Promise.all(plans.map(startOne));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return processes.map((p, i) => {
    const logFile = logFileOf(plans[i]!);
    return {
      port: p.port,
      url: p.url,
      ...(logFile ? { logFile } : {}),
      connectApp: () => p.connectApp(),
      stop: () => p.stop(DAPRD_STOP_GRACE_MS),
    };
  });
}
