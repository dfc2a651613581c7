/**
 * The operator's HTTP endpoints. As in controller-runtime, the probes listen on every interface
 * (the kubelet calls them) and the metrics on loopback unless told otherwise: they are
 * unauthenticated.
 */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ProbeState {
  /** False once stopping: liveness and readiness fail. */
  healthy: boolean;
  leading: boolean;
}

/** `/healthz` (liveness) and `/readyz` (readiness), read from `state` on every request. */
export function makeProbeServer(state: ProbeState): Server {
  return createServer((req, res) => {
    const { healthy, leading } = state;
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
}

/** `/metrics` in Prometheus' text format. */
export function makeMetricsServer(registry: Registry): Server {
  return createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
}
