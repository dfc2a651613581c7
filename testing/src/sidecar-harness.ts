/**
 * Helpers for component tests: a service under test behind a real in-process sidecar, fake
 * edge apps, an event probe and publishing as a producer's sidecar would.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dapr, baseConfigSchema, createLogger, loadConfig } from '@flock/kit';
import { parseComponents, startSidecar, type Sidecar } from '@flock/sidecar';

/**
 * In-memory state for `store`, the platform broker and the broadcast broker (consumer id unique
 * per sidecar, as in components/embedded/broadcast.yaml), with fast delivery retries. Brokers are
 * shared by name within the test process, so several sidecars exchange events.
 */
export function testComponents(store: string) {
  return parseComponents(
    `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${store}
spec:
  type: state.in-memory
  version: v1
  metadata: []
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.in-memory
  version: v1
  metadata:
    - name: deliveryMaxRetries
      value: "5"
    - name: deliveryInitialInterval
      value: "20ms"
    - name: deliveryMaxInterval
      value: "200ms"
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: broadcast
spec:
  type: pubsub.in-memory
  version: v1
  metadata:
    - name: consumerID
      value: "{uuid}"
`,
    'test-components.yaml',
  );
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A handle on the sidecar at `port` as another service holds one: to test a service's client. */
export const callerDapr = (port: number): Dapr =>
  new Dapr(
    loadConfig(baseConfigSchema, {
      APP_ID: 'caller',
      DAPR_HTTP_PORT: String(port),
      LOG_LEVEL: 'silent',
    }),
    createLogger('caller', 'silent'),
  );

/** A tiny HTTP app at the edge of the test: answers with `handle`, or 404. */
export async function edgeApp(
  handle: (
    method: string,
    path: string,
    body: string,
  ) => { status: number; body?: unknown } | undefined,
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const answer = handle(req.method ?? 'GET', req.url ?? '/', body) ?? { status: 404 };
      res.statusCode = answer.status;
      if (answer.body === undefined) return res.end();
      res.setHeader(
        'content-type',
        answer.status >= 400 ? 'application/problem+json' : 'application/json',
      );
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

export interface Received {
  id: string;
  topic: string;
  data: Record<string, string>;
}

export interface Probe {
  received: Received[];
  /** What it received on `topic`, in order. */
  of(topic: string): Received[];
  /** Publishes through the probe's sidecar, as a producer would; `id` becomes the CloudEvent id. */
  publish(topic: string, data: unknown, id?: string): Promise<void>;
  stop(): Promise<void>;
}

/** A subscriber on `topics` behind its own sidecar: records every event it is delivered. */
export async function startProbe(topics: readonly string[]): Promise<Probe> {
  const received: Received[] = [];
  const app = await edgeApp((method, path, body) => {
    if (method === 'GET' && path === '/dapr/subscribe')
      return {
        status: 200,
        body: topics.map((topic) => ({ pubsubname: 'pubsub', topic, route: `/on/${topic}` })),
      };
    if (method === 'POST' && path.startsWith('/on/')) {
      const event = JSON.parse(body) as Received;
      received.push({ id: event.id, topic: event.topic, data: event.data });
      return { status: 200, body: { status: 'SUCCESS' } };
    }
    return undefined;
  });
  const sidecar = await startSidecar({
    appId: 'probe',
    app: { host: '127.0.0.1', port: app.port },
    httpPort: 0,
    components: testComponents('probe-store'),
    logLevel: 'silent',
  });
  await sidecar.connectApp();
  return {
    received,
    of: (topic) => received.filter((event) => event.topic === topic),
    publish: (topic, data, id) => publish(sidecar, topic, data, id),
    async stop() {
      await sidecar.stop();
      await new Promise((resolve) => app.server.close(resolve));
    },
  };
}

/** Publishes through a sidecar, as a producer's sidecar would; `id` becomes the CloudEvent id. */
export async function publish(
  sidecar: Sidecar,
  topic: string,
  data: unknown,
  id?: string,
): Promise<void> {
  const query = id ? `?metadata.cloudevent.id=${encodeURIComponent(id)}` : '';
  const response = await fetch(`${sidecar.url}/v1.0/publish/pubsub/${topic}${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(data),
  });
  if (response.status !== 204) throw new Error(`publish ${topic}: ${response.status}`);
}
