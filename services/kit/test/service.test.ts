import { z } from 'zod';
import {
  baseConfigSchema,
  createLogger,
  createService,
  loadConfig,
  notFound,
  WriteConflict,
  type DeliveredEvent,
  type RunningService,
  type Subscription,
} from '../src/index.js';

const logger = createLogger('kit-test', 'silent');
const config = (extra: Record<string, string> = {}) =>
  loadConfig(baseConfigSchema, {
    APP_ID: 'kit-test',
    APP_PORT: '0',
    APP_HOST: '127.0.0.1',
    BODY_LIMIT: '1kb',
    ...extra,
  });

const itemSchema = z.object({ name: z.string().min(1), size: z.number().int() });

const calls: string[] = [];
const subscriptions = [
  {
    topic: 'thing.happened',
    schema: z.object({ n: z.number() }),
    async handle(event: DeliveredEvent<{ n: number }>) {
      calls.push(event.id);
      if (event.data.n === 1) throw new Error('database hiccup');
      if (event.data.n === 2) throw notFound('gone');
      if (event.data.n === 3) return 'RETRY';
      if (event.data.n === 4) throw new WriteConflict('lost a race, retries exhausted');
    },
  },
] as Subscription[];

let release: () => void = () => undefined;
let arrived: () => void = () => undefined;

async function start(extra: Record<string, string> = {}): Promise<RunningService> {
  const service = createService({
    config: config(extra),
    logger,
    subscriptions,
    routes(app) {
      app.post('/items', (req, res) => {
        res.status(201).json(itemSchema.parse(req.body));
      });
      app.get('/items/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      app.get('/boom', () => {
        throw new Error('secret internals at /srv/app.ts:42');
      });
      app.get('/slow', async (_req, res) => {
        arrived();
        await new Promise<void>((resolve) => (release = resolve));
        res.json({ done: true });
      });
    },
  });
  return service.start();
}

describe('service kit: the HTTP edge', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(() => service.stop());

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  test('when a body fails validation, then 400 problem+json lists every bad field', async () => {
    const response = await post('/items', JSON.stringify({ name: '', size: 'big' }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as {
      errors: Array<{ path: string }>;
      status: number;
      type: string;
    };
    expect(problem.status).toBe(400);
    expect(problem.type).toBe('https://flock.dev/problems/validation-error');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['name', 'size']);
  });

  test('when the JSON is malformed, then 400 says so', async () => {
    const response = await post('/items', '{"name": ');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/not valid JSON/);
  });

  test('when the body is over the limit, then 413', async () => {
    const response = await post('/items', JSON.stringify({ name: 'x'.repeat(2_000), size: 1 }));
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  });

  test('when the route does not exist, then 404 problem+json', async () => {
    const response = await fetch(`${service.url}/nope`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { instance: string }).instance).toBe('/nope');
  });

  test('when a handler throws, then 500 without leaking the stack or message', async () => {
    const response = await fetch(`${service.url}/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/secret internals|app\.ts|at /);
  });

  test('when a request carries X-Request-Id, then the response echoes it; otherwise one is minted', async () => {
    const given = await fetch(`${service.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const minted = await fetch(`${service.url}/healthz`);
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('when routes are hit, then /metrics counts them by route template, not raw path', async () => {
    await fetch(`${service.url}/items/42`);
    await fetch(`${service.url}/items/43`);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(
      /http_requests_total\{method="GET",route="\/items\/:id",status="200",service="kit-test"\} 2/,
    );
    expect(metrics).not.toMatch(/route="\/items\/42"/);
    expect(metrics).toMatch(/process_cpu_user_seconds_total/);
  });

  test('when readiness has no failing checks, then /readyz is 200', async () => {
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});

describe('service kit: subscriptions', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(() => service.stop());

  const deliver = async (data: unknown, id = `e-${Math.random()}`) => {
    const response = await fetch(`${service.url}/events/thing-happened`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({
        id,
        source: 'test',
        type: 'com.dapr.event.sent',
        topic: 'thing.happened',
        data,
      }),
    });
    return ((await response.json()) as { status: string }).status;
  };

  test('when Dapr asks for subscriptions, then each topic is listed with its route on the platform pubsub', async () => {
    const list = await (await fetch(`${service.url}/dapr/subscribe`)).json();
    expect(list).toEqual([
      { pubsubname: 'pubsub', topic: 'thing.happened', route: '/events/thing-happened' },
    ]);
  });

  test('when the handler succeeds, then SUCCESS', async () => {
    expect(await deliver({ n: 0 })).toBe('SUCCESS');
  });

  test('when the handler throws an unexpected error, then RETRY (the event is not lost)', async () => {
    expect(await deliver({ n: 1 })).toBe('RETRY');
  });

  test('when the handler throws a permanent 4xx error, then DROP', async () => {
    expect(await deliver({ n: 2 })).toBe('DROP');
  });

  test('when the handler lost a write race (409), then RETRY: a race is no reason to drop an event', async () => {
    expect(await deliver({ n: 4 })).toBe('RETRY');
  });

  test('when the handler asks for RETRY, then RETRY', async () => {
    expect(await deliver({ n: 3 })).toBe('RETRY');
  });

  test('when the payload does not match the schema, then DROP without calling the handler', async () => {
    const before = calls.length;
    expect(await deliver({ n: 'not a number' })).toBe('DROP');
    expect(calls.length).toBe(before);
  });
});

describe('service kit: sidecar-only access and shutdown', () => {
  test('when APP_API_TOKEN is set, then calls without the token get 401 but probes stay open', async () => {
    const service = await start({ APP_API_TOKEN: 's3cret' });
    try {
      expect((await fetch(`${service.url}/items/1`)).status).toBe(401);
      expect(
        (await fetch(`${service.url}/items/1`, { headers: { 'dapr-api-token': 's3cret' } })).status,
      ).toBe(200);
      expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  test('when stopping with a request in flight, then it completes and new connections are refused', async () => {
    const service = await start();
    const reachedHandler = new Promise<void>((resolve) => (arrived = resolve));
    const inFlight = fetch(`${service.url}/slow`);
    await reachedHandler;
    const stopped = service.stop();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await stopped;
    await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
  });
});

describe('service kit: configuration', () => {
  test('when a variable is invalid, then loading fails naming it', () => {
    expect(() => loadConfig(baseConfigSchema, { APP_ID: 'Bad Id', APP_PORT: 'x' })).toThrow(
      /APP_ID[\s\S]*APP_PORT|APP_PORT[\s\S]*APP_ID/,
    );
  });

  test('when code reads a key the schema does not declare, then it throws', () => {
    const loaded = loadConfig(baseConfigSchema, { APP_ID: 'ok' }) as unknown as Record<
      string,
      unknown
    >;
    expect(loaded.APP_PORT).toBe(3000);
    expect(() => loaded.DATABASE_URL).toThrow(/Unknown configuration key "DATABASE_URL"/);
  });
});
