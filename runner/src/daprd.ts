import { spawn } from 'node:child_process';
import http from 'node:http';
import { closeSync, existsSync, openSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@flock/kit';
import { freePort } from './ports.js';

/** Where scripts/dapr/build-daprd.sh caches its builds, one folder per version. */
const BUILD_CACHE = '/var/cache/flock';

/**
 * The real daprd to run: $FLOCK_DAPRD, else `daprd` on the PATH, else `dapr init`'s copy, else
 * the newest build of scripts/dapr/build-daprd.sh. Undefined when there is none.
 */
export function findDaprd(): string | undefined {
  if (process.env.FLOCK_DAPRD) return process.env.FLOCK_DAPRD;
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, 'daprd'))
    .find((file) => existsSync(file));
  if (onPath) return onPath;
  const home = path.join(process.env.HOME ?? '/root', '.dapr', 'bin', 'daprd');
  if (existsSync(home)) return home;
  const builds = existsSync(BUILD_CACHE)
    ? readdirSync(BUILD_CACHE)
        .filter((dir) => dir.startsWith('dapr-'))
        .map((dir) => path.join(BUILD_CACHE, dir, 'daprd'))
        .filter((file) => existsSync(file))
    : [];
  return builds.sort(byVersion).at(-1);
}

const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * daprd's standalone Configuration for one run: name resolution through one SQLite file that
 * every daprd of the run shares, instead of mDNS (multicast, which loopback-only hosts and CI
 * machines may lack).
 */
export async function writeDaprdConfig(dir: string): Promise<string> {
  const file = path.join(dir, 'daprd-config.yaml');
  const database = path.join(dir, 'name-resolution.db');
  await writeFile(
    file,
    [
      'apiVersion: dapr.io/v1alpha1',
      'kind: Configuration',
      'metadata:',
      '  name: flock-local',
      'spec:',
      '  nameResolution:',
      '    component: sqlite',
      '    version: v1',
      '    configuration:',
      `      connectionString: ${JSON.stringify(database)}`,
      '',
    ].join('\n'),
  );
  return file;
}

export interface DaprdOptions {
  daprd: string;
  appId: string;
  /** None: daprd serves its API without an app (benchmarks, conformance cases). */
  appPort?: number;
  /** 0 = a free one. */
  httpPort: number;
  apiToken?: string;
  appApiToken?: string;
  resourcesPath: string;
  configFile?: string;
  /** daprd resolves a relative `secretsFile` against this folder (the runner's data folder). */
  cwd: string;
  /** A file for daprd's output; absent = this process's stdout/stderr. */
  logFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  logger: Logger;
}

export interface DaprdProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Resolves when daprd has loaded its components (`/v1.0/healthz/outbound` answers 204). */
  readonly started: Promise<void>;
  /** Resolves once daprd has connected to its app (`/v1.0/healthz` answers 204). */
  connectApp(timeoutMs?: number): Promise<void>;
  stop(graceMs: number): Promise<void>;
}

/**
 * A watchdog shell between the runner and daprd: it ends daprd when its stdin (a pipe from the
 * runner) closes, so daprd dies with the runner however the runner went (daprd, unlike the apps,
 * has no IPC channel to notice it). It passes SIGTERM on for a graceful stop, SIGUSR1 as SIGKILL.
 */
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- &',
  'child=$!',
  '( cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null ) &',
  'watcher=$!',
  'trap \'kill -TERM "$child" 2>/dev/null\' TERM INT',
  'trap \'kill -KILL "$child" 2>/dev/null\' USR1',
  'status=0',
  'while :; do wait "$child"; status=$?; kill -0 "$child" 2>/dev/null || break; done',
  'kill "$watcher" 2>/dev/null',
  'exit "$status"',
].join('\n');

export async function startDaprd(options: DaprdOptions): Promise<DaprdProcess> {
  const [httpPort, grpcPort, internalPort, metricsPort] = await Promise.all([
    options.httpPort === 0 ? freePort() : options.httpPort,
    freePort(),
    freePort(),
    freePort(),
  ]);
  const args = [
    '--mode=standalone',
    `--app-id=${options.appId}`,
    ...(options.appPort === undefined
      ? []
      : [
          `--app-port=${options.appPort}`,
          '--app-protocol=http',
          '--app-channel-address=127.0.0.1',
        ]),
    `--dapr-http-port=${httpPort}`,
    `--dapr-grpc-port=${grpcPort}`,
    `--dapr-internal-grpc-port=${internalPort}`,
    '--dapr-listen-addresses=127.0.0.1',
    '--dapr-internal-grpc-listen-address=127.0.0.1',
    `--metrics-port=${metricsPort}`,
    '--metrics-listen-address=127.0.0.1',
    `--resources-path=${options.resourcesPath}`,
    ...(options.configFile ? [`--config=${options.configFile}`] : []),
    `--log-level=${options.logLevel ?? 'warn'}`,
  ];
  const log = options.logFile ? openSync(options.logFile, 'a') : 'inherit';
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'daprd', options.daprd, ...args], {
    cwd: options.cwd,
    env: {
      ...withoutDaprTokens(process.env),
      ...(options.apiToken ? { DAPR_API_TOKEN: options.apiToken } : {}),
      ...(options.appApiToken ? { APP_API_TOKEN: options.appApiToken } : {}),
      // The address daprd registers with name resolution: loopback, not the host's first NIC.
      DAPR_HOST_IP: '127.0.0.1',
    },
    stdio: ['pipe', log, log],
  });
  if (typeof log === 'number') closeSync(log);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      options.logger.error({ err: error, appId: options.appId }, 'could not start daprd');
      resolve(null);
    });
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const failure = exited.then(async (code) => {
    // The log is gone with a test's data folder: the error carries the lines that say why.
    const tail = options.logFile
      ? (await readFile(options.logFile, 'utf8').catch(() => ''))
          .split('\n')
          .filter((line) => /level=(error|fatal)/.test(line))
          .slice(-3)
          .join('\n')
      : '';
    throw new Error(
      `daprd of ${options.appId} exited with code ${code}` +
        (options.logFile ? ` (see ${options.logFile})` : '') +
        (tail ? `:\n${tail}` : ''),
    );
  });
  failure.catch(() => undefined);
  const until = (probe: string, timeoutMs: number) =>
    Promise.race([waitFor204(`${url}${probe}`, options.appId, timeoutMs), failure]);
  return {
    pid: child.pid ?? -1,
    port: httpPort,
    url,
    started: until('/v1.0/healthz/outbound', 60_000),
    connectApp: (timeoutMs = 120_000) => until('/v1.0/healthz', timeoutMs),
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGUSR1'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** daprd must not inherit a token meant for someone else (the runner's own environment). */
function withoutDaprTokens(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.DAPR_API_TOKEN;
  delete rest.APP_API_TOKEN;
  return rest;
}

/**
 * One probe on a connection of its own, closed after the answer: a probe through the process's
 * shared keep-alive pool leaves a socket that daprd may close just as a caller picks it up
 * (seen as "other side closed" on the first real request).
 */
function probe(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(2_000, () => req.destroy(new Error('probe timed out')));
  });
}

async function waitFor204(url: string, appId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const { status, body } = await probe(url);
      if (status === 204) return;
      last = `${status} ${body}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`daprd of ${appId} was not ready within ${timeoutMs} ms (${url}: ${last})`);
}
