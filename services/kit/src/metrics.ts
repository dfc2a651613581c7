import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** RED metrics of one service, on a registry of its own (several services may share a test process). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly eventsHandled: Counter<'topic' | 'outcome'>;
  readonly eventDuration: Histogram<'topic' | 'outcome'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration, by route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    this.eventsHandled = new Counter({
      name: 'events_handled_total',
      help: 'Pub/sub events handled, by topic and outcome (SUCCESS, RETRY, DROP).',
      labelNames: ['topic', 'outcome'],
      registers: [this.registry],
    });
    this.eventDuration = new Histogram({
      name: 'event_handler_duration_seconds',
      help: 'Pub/sub event handler duration, by topic and outcome.',
      labelNames: ['topic', 'outcome'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
  }
}
