import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createLogger } from '@flock/kit';
import { eventually } from '@flock/testing';
import { startPlatform, type Platform } from '@flock/runner';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** One span as OTLP/JSON carries it, with its resource's service.name. */
interface Span {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const SERVER = 2;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpBody {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
      }>;
    }>;
  }>;
}

const attributes = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(
    list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]),
  );

/** A tiny OTLP/HTTP receiver: collects every span POSTed to /v1/traces as JSON. */
async function startReceiver(): Promise<{ server: Server; url: string; spans: Span[] }> {
  const spans: Span[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const raw = Buffer.concat(chunks);
        const text = (
          req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
        ).toString();
        const body = JSON.parse(text) as OtlpBody;
        for (const resourceSpans of body.resourceSpans ?? []) {
          const service = String(attributes(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: attributes(span.attributes),
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

const target = (span: Span) =>
  String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '').split('?')[0];
const method = (span: Span) =>
  String(span.attributes['http.request.method'] ?? span.attributes['http.method'] ?? '');

/**
 * Tracing across the whole embedded platform: every app runs with `--import @flock/kit/tracing`
 * (dapr.yaml) and exports to a receiver in this test. One post creation must be ONE trace:
 * gateway server span → (fetch) sidecar → posts server span → (SDK http) state + publish →
 * delivery with the CloudEvent's traceparent → the consumers' server spans.
 */
describe('tracing end to end (through the gateway)', () => {
  let platform: Platform;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let dataDir: string;
  let api: string;

  const call = async (route: string, body: unknown, token?: string) => {
    const response = await fetch(`${api}${route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as unknown };
  };

  beforeAll(async () => {
    receiver = await startReceiver();
    dataDir = await mkdtemp(path.join(tmpdir(), 'flock-tracing-'));
    platform = await startPlatform({
      runFile: path.join(root, 'dapr.yaml'),
      ports: 'ephemeral',
      dataDir,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        LOG_LEVEL: 'debug',
      },
      logger: createLogger('e2e', 'silent'),
    });
    api = `${platform.gatewayUrl}/api/flock/v1`;
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await new Promise((resolve) => receiver?.server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  test('when alice posts, then gateway, posts and the consumers share one connected trace, and the logs carry its id', async () => {
    const register = async (username: string) => {
      const password = 'correct horse battery';
      await call('/auth/register', { username, email: `${username}@example.com`, password });
      const login = await call('/auth/login', { login: username, password });
      expect(login.status).toBe(200);
      return login.body as { accessToken: string; user: { id: string } };
    };
    const alice = await register('alice');
    const bob = await register('bob');
    expect((await call(`/users/${alice.user.id}/follow`, {}, bob.accessToken)).status).toBe(200);

    const posted = await call('/posts', { text: 'traced hello @bob' }, alice.accessToken);
    expect(posted.status).toBe(201);

    const gatewaySpan = await eventually(() =>
      receiver.spans.find(
        (s) =>
          s.service === 'gateway' &&
          s.kind === SERVER &&
          method(s) === 'POST' &&
          target(s) === '/api/flock/v1/posts',
      ),
    );
    expect(gatewaySpan.parentSpanId).toBe('');
    const { traceId } = gatewaySpan;
    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const serverSpan = (service: string, route: string) =>
      inTrace().find((s) => s.service === service && s.kind === SERVER && target(s) === route);

    // The consumers' spans arrive once their handlers finished and the batch was exported.
    const [postsSpan, timelineSpan, notificationsSpan] = await eventually(() => {
      const found = [
        serverSpan('posts', '/posts'),
        serverSpan('timeline', '/events/post-created'),
        serverSpan('notifications', '/events/post-created'),
      ];
      return found.every(Boolean) ? (found as Span[]) : undefined;
    }, 30_000);

    // Every post.created delivery and every posts server span of the request is in this trace.
    const deliveries = receiver.spans.filter(
      (s) => s.kind === SERVER && target(s) === '/events/post-created',
    );
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    for (const span of deliveries) expect(span.traceId).toBe(traceId);
    const postsServerSpans = receiver.spans.filter(
      (s) => s.service === 'posts' && s.kind === SERVER && target(s) === '/posts',
    );
    expect(postsServerSpans.map((s) => s.traceId)).toEqual([traceId]);

    // The parent chain: consumer → (posts' publish call) → posts server → (gateway's fetch) → gateway.
    const byId = new Map(inTrace().map((s) => [s.spanId, s]));
    const chain = (span: Span): Span[] => {
      const path = [span];
      for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) path.push(p);
      return path;
    };
    const services = (span: Span) => [...new Set(chain(span).map((s) => s.service))];
    expect(chain(postsSpan!).at(-1)).toBe(gatewaySpan);
    expect(services(postsSpan!)).toEqual(['posts', 'gateway']);
    for (const consumer of [timelineSpan!, notificationsSpan!]) {
      expect(chain(consumer).at(-1)).toBe(gatewaySpan);
      expect(chain(consumer)).toContain(postsSpan);
      expect(services(consumer)).toEqual([consumer.service, 'posts', 'gateway']);
    }

    // Logs written inside the request carry its trace id (the logger's mixin).
    const postsLog = await readFile(path.join(dataDir, 'posts.log'), 'utf8');
    const traced = postsLog
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { traceId?: string; spanId?: string })
      .filter((line) => line.traceId === traceId);
    expect(traced.length).toBeGreaterThan(0);
    expect(traced[0]!.spanId).toMatch(/^[0-9a-f]{16}$/);
  }, 90_000);
});
