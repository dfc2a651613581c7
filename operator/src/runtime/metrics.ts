/** The operator's own Prometheus metrics, on a registry of its own. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function makeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flock_operator_' });
  return {
    registry,
    reconciles: new Counter({
      name: 'flock_operator_reconcile_total',
      help: 'Reconciles by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'flock_operator_reconcile_errors_total',
      help: 'Reconciles that failed and were requeued with backoff',
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'flock_operator_reconcile_duration_seconds',
      help: 'Time spent in one reconcile',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'flock_operator_queue_depth',
      help: 'Keys waiting in the work queue',
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'flock_operator_leader',
      help: '1 on the replica holding the leader Lease (the one reconciling), 0 on a standby',
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'flock_operator_apiserver_requests_total',
      help: 'HTTP requests the controller sent to the apiserver, by method (leader election not included)',
      labelNames: ['method'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof makeMetrics>;
