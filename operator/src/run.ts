/**
 * The running operator, wired as kubebuilder's main.go wires a manager: the runtime's
 * controller loop driving controller/reconcile over the kinds render/ produces, leader
 * election, probes and `/metrics`, and a graceful stop on SIGTERM (finish in-flight
 * reconciles, hand the lease back).
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { createLogger, type Logger } from '@flock/kit';
import { KubeConfig } from '@kubernetes/client-node';
import { reconcile } from './controller/reconcile.js';
import { OWNED_KINDS } from './render/index.js';
import { MANAGED_BY } from './render/meta.js';
import { systemClock, type Clock } from './runtime/clock.js';
import { countRequests, makeKubeClient } from './runtime/client.js';
import { Controller } from './runtime/controller.js';
import { makeRecorder } from './runtime/events.js';
import { LeaderElector } from './runtime/leader.js';
import { makeMetrics, type Metrics } from './runtime/metrics.js';
import { makeMetricsServer, makeProbeServer, type ProbeState } from './runtime/servers.js';

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
  const client = makeKubeClient(kc, OWNED_KINDS);
  const events = makeRecorder(client, clock, opts.log);
  const controller = new Controller({
    kc,
    client,
    clock,
    log: opts.log,
    metrics,
    events,
    reconcile: (key) => reconcile(key, { client, clock, events, log: opts.log }),
    owns: { kinds: OWNED_KINDS, labelSelector: `app.kubernetes.io/managed-by=${MANAGED_BY}` },
    workers: opts.workers ?? 2,
  });
  const probes: ProbeState = { healthy: true, leading: false };
  metrics.leader.set(0);
  const server = makeProbeServer(probes);
  const metricsServer = makeMetricsServer(metrics.registry);
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
    probes.healthy = false;
    await controller.stop();
    await elector?.release();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => metricsServer.close(resolve));
  };
  // Losing the lease means another replica may be reconciling: exit and let Kubernetes restart us.
  await elector?.acquire(() => {
    probes.healthy = false;
    probes.leading = false;
    metrics.leader.set(0);
    void stop().finally(() => process.exit(1));
  });
  probes.leading = true;
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
