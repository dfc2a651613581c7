import { brotliCompressSync } from 'node:zlib';
import { z } from 'zod';
import {
  baseConfigSchema,
  createLogger,
  createService,
  decodeCursor,
  loadConfig,
  userText,
  type RunningService,
} from '../src/index.js';

/**
 * What a careless or hostile client can send to any Flock service: text Postgres cannot store,
 * deep JSON, broken percent-encoding, a lying Content-Encoding, oversized headers. Every one is
 * a 4xx problem+json from the kit's HTTP edge, before a route runs.
 */
const reached: string[] = [];
let service: RunningService;

beforeAll(async () => {
  const config = loadConfig(baseConfigSchema, {
    APP_ID: 'kit-hostile',
    APP_PORT: '0',
    APP_HOST: '127.0.0.1',
    JSON_MAX_DEPTH: '8',
  });
  service = await createService({
    config,
    logger: createLogger('kit-hostile', 'silent'),
    routes(app) {
      app.post('/notes', (req, res) => {
        reached.push(JSON.stringify(req.body));
        res.status(201).json(
          z
            .object({ text: userText(10) })
            .passthrough()
            .parse(req.body),
        );
      });
      app.get('/notes/:id', (req, res) => {
        reached.push(req.params.id);
        res.json({ id: req.params.id, q: req.query.q ?? null });
      });
      app.get('/pages', (req, res) => {
        const cursor = z.object({ cursor: z.string() }).parse(req.query).cursor;
        res.json(decodeCursor(cursor, z.object({ before: z.string() })));
      });
    },
  }).start();
});
afterAll(() => service.stop());
beforeEach(() => (reached.length = 0));

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${service.url}/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function problem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { status: number; errors?: Array<{ path: string }> };
}

const fieldsOf = async (response: Response) =>
  ((await problem(response, 400)).errors ?? []).map((e) => e.path);

describe('text that Postgres or JSON cannot hold', () => {
  test('when a body string holds NUL, then 400 names the field and the route never runs', async () => {
    expect(await fieldsOf(await post(JSON.stringify({ text: 'a\u0000b' })))).toEqual(['text']);
    expect(reached).toEqual([]);
  });

  test('when a nested body string holds a lone surrogate, then 400 names its path', async () => {
    const body = '{"text":"ok","tags":[{"name":"fine"},{"name":"x\\ud800y"}]}';
    expect(await fieldsOf(await post(body))).toEqual(['tags.1.name']);
  });

  test('when a property name holds NUL, then 400 names the object holding it', async () => {
    expect(await fieldsOf(await post('{"text":"ok","meta":{"a\\u0000":1}}'))).toEqual(['meta']);
  });

  test('when a surrogate pair (an emoji) is sent, then it is accepted', async () => {
    expect((await post(JSON.stringify({ text: 'hi 😀' }))).status).toBe(201);
  });

  test('when a query value holds NUL, then 400 names the parameter', async () => {
    expect(await fieldsOf(await fetch(`${service.url}/notes/1?q=a%00b`))).toEqual(['q']);
  });

  test('when a path segment decodes to NUL, then 400 names the path', async () => {
    expect(await fieldsOf(await fetch(`${service.url}/notes/a%00b`))).toEqual(['path']);
    expect(reached).toEqual([]);
  });

  test('when a cursor decodes to text holding NUL, then 400 names the cursor', async () => {
    const cursor = Buffer.from(JSON.stringify({ before: '\u0000' })).toString('base64url');
    expect(await fieldsOf(await fetch(`${service.url}/pages?cursor=${cursor}`))).toEqual([
      'cursor',
    ]);
  });
});

describe('malformed requests', () => {
  test('when JSON nests deeper than JSON_MAX_DEPTH, then 400 before it is parsed', async () => {
    const deep = `{"text":"ok","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const body = await problem(await post(deep), 400);
    expect(JSON.stringify(body)).toMatch(/nested deeper than 8/);
    expect(reached).toEqual([]);
  });

  test('when JSON nests exactly JSON_MAX_DEPTH deep, with brackets inside strings, then it is read', async () => {
    const eight = `{"text":"[[[{{{","x":${'['.repeat(7)}${']'.repeat(7)}}`;
    expect((await post(eight)).status).toBe(201);
  });

  test('when a path has malformed percent-encoding, then 400 problem+json, not 500', async () => {
    expect(await fieldsOf(await fetch(`${service.url}/notes/%C0%AE`))).toEqual(['path']);
    expect(await fieldsOf(await fetch(`${service.url}/nowhere/%E0%A4%A`))).toEqual(['path']);
  });

  test('when the body does not match its Content-Encoding, then 400', async () => {
    for (const encoding of ['br', 'gzip', 'deflate'])
      await problem(await post('garbage, not compressed', { 'content-encoding': encoding }), 400);
  });

  test('when the Content-Encoding is unknown, then 415', async () => {
    await problem(await post('{}', { 'content-encoding': 'rot13' }), 415);
  });

  test('when the body is honestly brotli-compressed, then it is read', async () => {
    const body = brotliCompressSync(JSON.stringify({ text: 'squeezed' }));
    const response = await fetch(`${service.url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
      body,
    });
    expect(response.status).toBe(201);
  });

  test('when the request headers are too large, then 431 with a problem+json body', async () => {
    const response = await fetch(`${service.url}/notes/1`, {
      headers: { 'x-padding': 'a'.repeat(20_000) },
    });
    const answer = {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
    expect(answer.status).toBe(431);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431 });
  });
});

describe('long user text', () => {
  test('when a text is far longer than its limit, then 400 names the field', async () => {
    const response = await post(JSON.stringify({ text: 'a'.repeat(60_000) }));
    expect(await fieldsOf(response)).toEqual(['text']);
  });

  test('when a text is at its limit in long grapheme clusters, then it is accepted', async () => {
    const family = '👩🏽‍👩🏽‍👧🏽‍👦🏽'; // one character, 19 UTF-16 code units
    expect((await post(JSON.stringify({ text: family.repeat(10) }))).status).toBe(201);
    expect((await post(JSON.stringify({ text: family.repeat(11) }))).status).toBe(400);
  });
});

describe('metrics on the public edge', () => {
  test('when the public edge has no METRICS_TOKEN, then /metrics is a 404; an internal service still serves it', async () => {
    const run = (publicEdge: boolean) =>
      createService({
        config: loadConfig(baseConfigSchema, {
          APP_ID: 'kit-edge',
          APP_PORT: '0',
          APP_HOST: '127.0.0.1',
        }),
        logger: createLogger('kit-edge', 'silent'),
        publicEdge,
      }).start();
    for (const [publicEdge, status] of [
      [true, 404],
      [false, 200],
    ] as const) {
      const running = await run(publicEdge);
      try {
        expect((await fetch(`${running.url}/metrics`)).status).toBe(status);
      } finally {
        await running.stop();
      }
    }
  });
});
