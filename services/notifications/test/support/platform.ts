import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseComponents, type Sidecar } from '../../../../sidecar/src/index.js';

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

/** A free TCP port on loopback (the sidecar must know its app's port before the app starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A tiny HTTP app at the edge of the test: answers with `handle`, or 404. */
export async function edgeApp(
  handle: (method: string, path: string) => { status: number; body?: unknown } | undefined,
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    void bodyOf(req).then(() => {
      const answer = handle(req.method ?? 'GET', req.url ?? '/') ?? { status: 404 };
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

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
