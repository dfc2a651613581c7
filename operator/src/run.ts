/**
 * The running operator: leader election, the controller, `/healthz` and `/metrics`, and a
 * graceful stop on SIGTERM (finish in-flight reconciles, hand the lease back).
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
  /** 0 picks a free port. */
  port: number;
  leaderElection?: { namespace: string; identity: string } | undefined;
  workers?: number;
}

export interface RunningOperator {
  controller: Controller;
  server: Server;
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
  const server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(healthy ? 200 : 503).end(healthy ? 'ok' : 'stopping');
    } else if (req.url === '/metrics') {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(opts.port, resolve));

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
  };
  // Losing the lease means another replica may be reconciling: exit and let Kubernetes restart us.
  await elector?.acquire(() => {
    healthy = false;
    void stop().finally(() => process.exit(1));
  });
  await controller.start();
  return { controller, server, metrics, requests: () => ({ ...requests }), stop };
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
    port: Number(process.env.METRICS_PORT ?? 8080),
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
