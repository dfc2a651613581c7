import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from '@flock/kit';

/**
 * The sidecar's Prometheus endpoint. daprd serves its metrics on a port of its own (9090 by
 * default, `--metrics-port`), apart from the API; so does this sidecar when `metricsPort` is set.
 * Requests are counted by API group, never by path: keys and app ids would be unbounded labels.
 */
export type ApiGroup = 'state' | 'publish' | 'invoke' | 'secrets' | 'metadata' | 'health' | 'other';

const GROUPS: Record<string, ApiGroup> = {
  state: 'state',
  publish: 'publish',
  bulkpublish: 'publish',
  invoke: 'invoke',
  secrets: 'secrets',
  metadata: 'metadata',
  shutdown: 'metadata',
  healthz: 'health',
};

/** `/v1.0/state/...` → state; an unmatched path with `dapr-app-id` is invoke (daprd's fallback). */
export function apiGroup(url: string, headers: IncomingMessage['headers']): ApiGroup {
  const [version, api] = url.split('?', 1)[0]!.split('/').filter(Boolean);
  const group = version?.startsWith('v1.0') && api ? GROUPS[api.toLowerCase()] : undefined;
  if (group) return group;
  return typeof headers['dapr-app-id'] === 'string' ? 'invoke' : 'other';
}

export class SidecarMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'api' | 'method' | 'status'>;
  readonly duration: Histogram<'api' | 'method' | 'status'>;

  constructor(appId: string) {
    this.registry.setDefaultLabels({ app_id: appId });
    collectDefaultMetrics({ register: this.registry, prefix: 'sidecar_' });
    this.requests = new Counter({
      name: 'sidecar_http_requests_total',
      help: 'Sidecar API requests, by API group (state, publish, invoke, secrets, metadata, health) and status.',
      labelNames: ['api', 'method', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'sidecar_http_request_duration_seconds',
      help: 'Sidecar API request duration (for invoke: including the target app), by API group and status.',
      labelNames: ['api', 'method', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }

  /** Records the request once its response is finished (or the connection closed under it). */
  observe(req: IncomingMessage, res: ServerResponse): void {
    const api = apiGroup(req.url ?? '/', req.headers);
    const stop = this.duration.startTimer();
    res.once('close', () => {
      const labels = {
        api,
        method: req.method ?? 'GET',
        status: res.writableFinished ? String(res.statusCode) : 'aborted',
      };
      stop(labels);
      this.requests.inc(labels);
    });
  }

  /** Serves `GET /metrics` on its own port (0 = off: returns undefined). */
  async listen(port: number, host: string): Promise<Server | undefined> {
    if (!port) return undefined;
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server;
  }
}
