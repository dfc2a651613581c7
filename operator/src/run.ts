/**
 * The running operator: leader election, the controller, probes and `/metrics`, and a
 * graceful stop on SIGTERM (finish in-flight reconciles, hand the lease back). As in
 * controller-runtime, the probes listen on every interface (the kubelet calls them) and the
 * metrics on loopback unless told otherwise: they are unauthenticated.
 */
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { createLogger, type Logger } from '@flock/kit';
import { KubeConfig } from '@kubernetes/client-node';
import { systemClock, type Clock } from './clock.js';
import { countRequests, makeKubeClient } from './client.js';
import { Controller } from './controller.js';
import { makeRecorder } from './events.js';
import { LeaderElector } from './leader.js';
import { makeMetrics, type Metrics } from './metrics.js';

export interface RunOptions {
  /** Called twice: the controller and the leader elector get separate configs, so the request count is the controller's own. */
  kubeConfig: () => KubeConfig;
  log: Logger;
  clock?: Clock;
  /** Probes (`/healthz`, `/readyz`); 0 picks a free port. */
  port: number;
  /** Where `/metrics` listens; port 0 picks a free one. */
  metrics?: { host: string; port: number };
  leaderElection?: { namespace: string; identity: string } | undefined;
  workers?: number;
}

export interface RunningOperator {
  controller: Controller;
  /** The probes. */
  server: Server;
  metricsServer: Server;
  metrics: Metrics;
  /** HTTP requests the controller sent to the apiserver so far, by method. */
  requests(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startOperator(opts: RunOptions): Promise<RunningOperator> {
  const clock = opts.clock ?? systemClock;
  const metrics = makeMetrics();
  const requests: Record<string, number> = {};
  const kc = countRequests(opts.kubeConfig(), (method) => {
    requests[method] = (requests[method] ?? 0) + 1;
    metrics.apiRequests.inc({ method });
  });
  const client = makeKubeClient(kc);
  const controller = new Controller({
    kc,
    client,
    clock,
    log: opts.log,
    metrics,
    events: makeRecorder(client, clock, opts.log),
    workers: opts.workers ?? 2,
  });
  let healthy = true;
  let leading = false;
  metrics.leader.set(0);
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'stopping');
    } else if (req.url === '/readyz') {
      // A standby is Ready too: it would otherwise block every rolling update of the operator.
      // The body and the flock_operator_leader gauge tell which replica reconciles.
      res
        .writeHead(healthy ? 200 : 503)
        .end(healthy ? (leading ? 'leader' : 'standby') : 'stopping');
    } else res.writeHead(404).end();
  });
  const metricsServer = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  const { host, port } = opts.metrics ?? { host: '127.0.0.1', port: 8080 };
  await new Promise<void>((resolve) => server.listen(opts.port, resolve));
  await new Promise<void>((resolve) => metricsServer.listen(port, host, resolve));

  const elector =
    opts.leaderElection &&
    new LeaderElector({
      kc: opts.kubeConfig(),
      clock,
      log: opts.log,
      name: 'flock-operator',
      ...opts.leaderElection,
    });
  const stop = async () => {
    healthy = false;
    await controller.stop();
    await elector?.release();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => metricsServer.close(resolve));
  };
  // Losing the lease means another replica may be reconciling: exit and let Kubernetes restart us.
  await elector?.acquire(() => {
    healthy = false;
    leading = false;
    metrics.leader.set(0);
    void stop().finally(() => process.exit(1));
  });
  leading = true;
  metrics.leader.set(1);
  await controller.start();
  return { controller, server, metricsServer, metrics, requests: () => ({ ...requests }), stop };
}

/** `flock-operator run`: in-cluster (or $KUBECONFIG) configuration, stops on SIGTERM/SIGINT. */
export async function runFromEnv(): Promise<void> {
  const log = createLogger(
    'flock-operator',
    (process.env.LOG_LEVEL as 'info' | undefined) ?? 'info',
  );
  const namespace = process.env.POD_NAMESPACE;
  const operator = await startOperator({
    kubeConfig: () => {
      const kc = new KubeConfig();
      kc.loadFromDefault();
      return kc;
    },
    log,
    port: Number(process.env.HEALTH_PORT ?? 8081),
    metrics: hostPort(process.env.METRICS_BIND_ADDRESS ?? '127.0.0.1:8080'),
    leaderElection:
      process.env.LEADER_ELECT === 'false' || !namespace
        ? undefined
        : { namespace, identity: process.env.POD_NAME ?? hostname() },
  });
  log.info('Operator started');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info({ signal }, 'Shutting down');
      operator.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'Shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/** "host:port" (or ":port" for every interface), as controller-runtime's --metrics-bind-address. */
function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i) || '0.0.0.0', port: Number(address.slice(i + 1)) };
}
