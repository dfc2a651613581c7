import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  baseConfigSchema,
  createLogger,
  loadConfig,
  USER_ID_HEADER,
  USERNAME_HEADER,
  type BaseConfig,
  type Logger,
  type RunningService,
  type Service,
} from '@flock/kit';
import {
  parseComponents,
  startSidecar,
  type AppAddress,
  type Sidecar,
} from '../../../../sidecar/src/index.js';

/**
 * Component-test platform: real sidecars (in-memory state and pub/sub, one broker per process)
 * in front of real services on ephemeral ports, plus a probe app that records published events.
 */
const component = (name: string, type: string, metadata: Record<string, string> = {}) =>
  `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: ${type}
  version: v1
  metadata:${
    Object.keys(metadata).length
      ? '\n' +
        Object.entries(metadata)
          .map(([k, v]) => `  - name: ${k}\n    value: ${JSON.stringify(v)}`)
          .join('\n')
      : ' []'
  }
`;

const PUBSUB_YAML = component('pubsub', 'pubsub.in-memory', {
  deliveryMaxRetries: '5',
  deliveryInitialInterval: '50ms',
  deliveryMaxInterval: '200ms',
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningApp {
  appId: string;
  url: string;
  sidecar: Sidecar;
  service: RunningService;
  stop(): Promise<void>;
}

/** Apps started by this test file, for service invocation between them. */
const registry = new Map<string, AppAddress>();

export async function startApp(
  appId: string,
  build: (config: BaseConfig, logger: Logger) => Service,
): Promise<RunningApp> {
  const port = await freePort();
  registry.set(appId, { host: '127.0.0.1', port });
  const sidecar = await startSidecar({
    appId,
    app: { host: '127.0.0.1', port },
    httpPort: 0,
    components: parseComponents(
      component(`${appId}-store`, 'state.in-memory') + '---\n' + PUBSUB_YAML,
      `${appId}-components.yaml`,
    ),
    resolveApp: (id) => registry.get(id),
    logLevel: 'silent',
  });
  const config = loadConfig(baseConfigSchema, {
    APP_ID: appId,
    APP_PORT: String(port),
    APP_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(sidecar.port),
    LOG_LEVEL: 'silent',
  });
  const service = await build(config, createLogger(appId, 'silent')).start();
  await sidecar.connectApp();
  return {
    appId,
    url: service.url,
    sidecar,
    service,
    async stop() {
      await service.stop();
      await sidecar.stop();
    },
  };
}

export interface ReceivedEvent {
  id: string;
  topic: string;
  data: Record<string, unknown>;
}

/** A subscriber app with its own sidecar that records every event of the given topics. */
export async function startProbe(topics: readonly string[]) {
  const events: ReceivedEvent[] = [];
  const port = await freePort();
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.method === 'GET' && req.url === '/dapr/subscribe') {
        res.end(
          JSON.stringify(
            topics.map((topic) => ({ pubsubname: 'pubsub', topic, route: `/e/${topic}` })),
          ),
        );
        return;
      }
      if (req.method === 'POST' && req.url?.startsWith('/e/')) {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as ReceivedEvent;
        events.push({ id: body.id, topic: body.topic, data: body.data });
        res.end(JSON.stringify({ status: 'SUCCESS' }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const sidecar = await startSidecar({
    appId: 'probe',
    app: { host: '127.0.0.1', port },
    httpPort: 0,
    components: parseComponents(PUBSUB_YAML, 'probe-components.yaml'),
    logLevel: 'silent',
  });
  await sidecar.connectApp();
  return {
    events,
    of: (topic: string) => events.filter((e) => e.topic === topic),
    /** Publishes `data` to `topic` as a CloudEvent with the given id. */
    async publish(topic: string, data: unknown, eventId: string): Promise<void> {
      const response = await fetch(
        `${sidecar.url}/v1.0/publish/pubsub/${topic}?metadata.cloudevent.id=${eventId}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(data),
        },
      );
      if (response.status !== 204) throw new Error(`publish answered ${response.status}`);
    },
    async stop() {
      await sidecar.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type Probe = Awaited<ReturnType<typeof startProbe>>;

export interface User {
  id: string;
  username: string;
}

/** An HTTP client calling a service as the gateway would (with or without a verified caller). */
export function client(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    options: { as?: User; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) {
      headers[USER_ID_HEADER] = options.as.id;
      headers[USERNAME_HEADER] = options.as.username;
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = text ? JSON.parse(text) : undefined;
    return { status: response.status, headers: response.headers, body: json };
  };
}

/** Asserts a problem+json answer. */
export function expectProblem(
  response: { status: number; headers: Headers; body: { status?: number; type?: string } },
  status: number,
): void {
  expect({ status: response.status, type: response.headers.get('content-type') }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body.status).toBe(status);
  expect(typeof response.body.type).toBe('string');
}
