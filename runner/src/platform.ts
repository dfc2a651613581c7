import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flock/kit';
import { loadComponents, loadResiliency, type ComponentDefinition } from '@flock/sidecar';
import { startEmbeddedPostgresProcess, type EmbeddedPostgres } from './embedded-postgres.js';
import { spawnApp, type AppProcess } from './app-process.js';
import { freePort } from './ports.js';
import { supervise } from './supervisor.js';
import {
  resolveRuntime,
  startSidecars,
  type RunningSidecar,
  type Runtime,
  type RuntimeChoice,
  type SidecarPlan,
} from './runtimes.js';
import { readRunFile, type RunApp } from './run-file.js';
import { ensureSecrets } from './secrets.js';

export interface PlatformOptions {
  /** The multi-app run file. */
  runFile: string;
  /** `embedded` (default) or a folder name under components/ or components/local/. */
  profile?: string;
  /** Flock's own sidecar (default), the real daprd, or daprd when installed (`auto`). */
  runtime?: RuntimeChoice;
  /** `fixed` uses the run file's ports; `ephemeral` picks free ones (tests, side-by-side runs). */
  ports?: 'fixed' | 'ephemeral';
  /** Where app logs go: files under the data folder, or this process's console. */
  logs?: 'file' | 'console';
  /** Database files, generated secrets and logs; default `.data/<profile>` beside the run file. */
  dataDir?: string;
  readyTimeoutMs?: number;
  /** The Postgres of a local profile; default $FLOCK_POSTGRES_URL, else database `test` on localhost. */
  postgresUrl?: string;
  /** Extra environment for every app (after dapr.yaml's), e.g. limits for a benchmark. */
  env?: Record<string, string>;
  logger: Logger;
}

export interface RunningApp {
  appId: string;
  url: string;
  sidecarUrl: string;
  /** The app's current process (a crashed app is restarted: see supervisor.ts). */
  readonly pid: number;
  /** The token this app's sidecar demands; tests use it to call the sidecar directly. */
  daprApiToken: string;
}

export interface Platform {
  readonly profile: string;
  readonly runtime: Runtime;
  readonly dataDir: string;
  readonly apps: readonly RunningApp[];
  readonly gatewayUrl: string | undefined;
  /** Stops apps (drained by SIGTERM), then sidecars, then the embedded database. */
  stop(): Promise<void>;
}

const EMBEDDED = 'embedded';
const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const STOP_GRACE_MS = 10_000;

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { logger } = options;
  const runFile = await readRunFile(options.runFile);
  const profile = options.profile ?? EMBEDDED;
  const runtime = resolveRuntime(options.runtime ?? 'sidecar', profile);
  const dataDir = path.resolve(options.dataDir ?? path.join(runFile.root, '.data', profile));
  await mkdir(dataDir, { recursive: true });
  const folder = profileFolder(runFile.root, profile);
  const components = withAbsolutePaths(await loadComponents(folder), dataDir);
  const resiliency = await loadResiliency(folder);
  const stops: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    for (const step of stops.reverse()) await step();
  };
  try {
    let postgres: EmbeddedPostgres | undefined;
    if (profile === EMBEDDED) {
      postgres = await startEmbeddedPostgresProcess({ dataDir: path.join(dataDir, 'postgres') });
      stops.push(() => postgres!.stop());
    }
    for (const file of secretFiles(components)) {
      // Local profiles use the Postgres on localhost (database `test`) unless told otherwise.
      const url =
        postgres?.connectionString ?? options.postgresUrl ?? process.env.FLOCK_POSTGRES_URL;
      await ensureSecrets(
        file,
        url ? { 'postgres-url': url } : {},
        url ? {} : { 'postgres-url': LOCAL_POSTGRES },
      );
    }
    const plans = await Promise.all(
      runFile.apps.map((app) => plan(app, options.ports ?? 'fixed', runtime)),
    );
    const sidecars: RunningSidecar[] = await startSidecars({
      runtime,
      plans,
      resourcesPath: folder,
      components,
      resiliency,
      dataDir,
      logs: options.logs ?? 'file',
      logger,
    });
    stops.push(async () => void (await Promise.all(sidecars.map((s) => s.stop()))));
    const processes: AppProcess[] = [];
    stops.push(async () => void (await Promise.all(processes.map((p) => p.stop(STOP_GRACE_MS)))));
    const logFileOf = (p: AppPlan) =>
      options.logs === 'console' ? undefined : path.join(dataDir, `${p.app.appId}.log`);
    const spawnFor = (p: AppPlan, i: number) =>
      spawnApp({
        appId: p.app.appId,
        command: p.app.command,
        cwd: p.app.appDir,
        env: {
          ...p.app.env,
          ...options.env,
          APP_ID: p.app.appId,
          APP_HOST: '127.0.0.1',
          // A restarted app binds the port it had, so its sidecar and clients still reach it.
          APP_PORT: String(p.address.port),
          DAPR_HOST: '127.0.0.1',
          DAPR_HTTP_PORT: String(sidecars[i]!.port),
          DAPR_API_TOKEN: p.apiToken,
          APP_API_TOKEN: p.address.appApiToken,
        },
        ...(logFileOf(p) ? { logFile: logFileOf(p) } : {}),
        logger,
      });
    plans.forEach((p, i) => processes.push(spawnFor(p, i)));
    await Promise.all(
      plans.map(async (p, i) => {
        const failure = exitAsFailure(p.app.appId, processes[i]!, logFileOf(p));
        // The app reports the port it bound (on ephemeral ports it picked its own; the sidecar
        // holds this same address object and reads the port when it first calls the app).
        // Readiness is asked only after that report: a port told in advance can be taken by
        // another run's listener, which would answer the probe in the app's place.
        const reported = await Promise.race([processes[i]!.listening, failure]);
        if (p.address.port !== 0 && reported !== p.address.port)
          throw new Error(`${p.app.appId} listens on ${reported}, not on ${p.address.port}`);
        p.address.port = reported;
        await Promise.race([sidecars[i]!.connectApp(), failure]);
        await waitUntilReady(
          p.app.appId,
          `http://127.0.0.1:${p.address.port}/readyz`,
          processes[i]!,
          options.readyTimeoutMs ?? 120_000,
          logFileOf(p),
          sidecars[i]!.logFile,
        );
      }),
    );
    plans.forEach((p, i) =>
      supervise({
        appId: p.app.appId,
        first: processes[i]!,
        respawn: () => spawnFor(p, i),
        replaced: (next) => (processes[i] = next),
        stopping: () => stopping !== undefined,
        logger,
      }),
    );
    const apps = plans.map((p, i) => ({
      appId: p.app.appId,
      url: `http://127.0.0.1:${p.address.port}`,
      sidecarUrl: sidecars[i]!.url,
      get pid() {
        return processes[i]!.pid;
      },
      daprApiToken: p.apiToken,
    }));
    return {
      profile,
      runtime,
      dataDir,
      apps,
      gatewayUrl: apps.find((a) => a.appId === 'gateway')?.url,
      stop: () => (stopping ??= stop()),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function profileFolder(root: string, profile: string): string {
  const candidates = [
    path.join(root, 'components', profile),
    path.join(root, 'components', 'local', profile),
  ];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`Unknown profile "${profile}": no folder ${candidates.join(' or ')}`);
  return found;
}

/**
 * A relative `secretsFile` resolves against the data folder (daprd would use its cwd): the runner
 * generates that file, and a test's throwaway data folder must not share the developer's secrets.
 */
function withAbsolutePaths(
  components: ComponentDefinition[],
  dataDir: string,
): ComponentDefinition[] {
  return components.map((component) => ({
    ...component,
    metadata: component.metadata.map((item) =>
      item.name.toLowerCase() === 'secretsfile' && item.value !== undefined
        ? { ...item, value: path.resolve(dataDir, item.value) }
        : item,
    ),
  }));
}

function secretFiles(components: ComponentDefinition[]): string[] {
  return components
    .filter((c) => c.type === 'secretstores.local.file')
    .flatMap((c) =>
      c.metadata.filter((m) => m.name.toLowerCase() === 'secretsfile').map((m) => m.value!),
    );
}

interface AppPlan extends SidecarPlan {
  app: RunApp;
}

async function plan(app: RunApp, ports: 'fixed' | 'ephemeral', runtime: Runtime): Promise<AppPlan> {
  // Fresh tokens per run: each app's sidecar accepts only its app, each app only its sidecar.
  const token = () => randomBytes(24).toString('base64url');
  // On ephemeral ports an app under Flock's sidecar binds port 0 itself and reports it (guessing
  // one is racy with parallel runs); daprd must be told its app's port before the app starts.
  const appPort = ports === 'fixed' ? app.appPort : runtime === 'daprd' ? await freePort() : 0;
  return {
    app,
    appId: app.appId,
    address: { host: '127.0.0.1', port: appPort, appApiToken: token() },
    httpPort: ports === 'fixed' ? app.daprHttpPort : 0,
    apiToken: token(),
  };
}

/**
 * Rejects if the app exits: waiting for its port would otherwise wait forever. The error carries
 * the end of the app's log: a test's data folder, and the log with it, is gone afterwards.
 */
async function exitAsFailure(appId: string, app: AppProcess, logFile?: string): Promise<never> {
  const code = await app.exited;
  const tail = await logTails(logFile);
  throw new Error(
    `${appId} exited with code ${code} before it was ready` + (tail || ' (see its log)'),
  );
}

async function waitUntilReady(
  appId: string,
  url: string,
  app: AppProcess,
  timeoutMs: number,
  logFile: string | undefined,
  sidecarLogFile: string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  const failure = exitAsFailure(appId, app, logFile);
  failure.catch(() => (exited = true));
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) return failure;
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `readyz answered ${response.status}: ${await response.text()}`;
    } catch (error) {
      // fetch says only "fetch failed"; its cause says how (refused, reset, not HTTP).
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
      last = `${(error as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}`;
    }
    await sleep(200);
  }
  // An app that never listens hangs on something before start (its sidecar, its database): the
  // ends of its log and of its daprd's say which, while the data folder still exists.
  throw new Error(
    `${appId} was not ready within ${timeoutMs} ms (${last})` +
      (await logTails(logFile, sidecarLogFile)),
  );
}

/** The last lines of each log that exists, labelled by file, for an error message. */
async function logTails(...files: Array<string | undefined>): Promise<string> {
  const tails = await Promise.all(
    files.map(async (file) => {
      if (!file) return '';
      const text = await readFile(file, 'utf8').catch(() => '');
      const tail = text.trimEnd().split('\n').slice(-8).join('\n');
      return tail ? `; the end of ${file}:\n${tail}` : '';
    }),
  );
  return tails.join('');
}
