import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestPlatform, type Session, type TestPlatform } from '@flock/testing';
import { apiDocument } from '../src/gateway.apis.js';

/**
 * The classes of issue 12 an attacker or a careless client found at the edge, through the
 * gateway of the whole embedded platform: each is a 4xx problem+json, and nothing it sends
 * leaves a list unreadable for everyone else.
 */
const METRICS_TOKEN = 'metrics-token-for-the-test';
const STREAMS = 2;
const ANONYMOUS_PER_MINUTE = 150;

describe('hostile input at the edge (whole platform, through the gateway)', () => {
  let flock: TestPlatform;
  let webDir: string;
  let api: string;
  let alice: Session;

  beforeAll(async () => {
    webDir = await mkdtemp(path.join(tmpdir(), 'flock-web-'));
    await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>Flock</title>');
    flock = await startTestPlatform({
      env: {
        WEB_DIR: webDir,
        METRICS_TOKEN,
        SSE_STREAMS_PER_USER: String(STREAMS),
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: String(ANONYMOUS_PER_MINUTE),
      },
    });
    api = `${flock.gatewayUrl}/api/flock/v1`;
    alice = await flock.signUp('alice');
  }, 240_000);

  afterAll(async () => {
    await flock?.stop();
    await rm(webDir, { recursive: true, force: true });
  }, 30_000);

  const send = (
    method: string,
    route: string,
    body?: string,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${api}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${alice.accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body,
    });

  async function problem(response: Response, status: number) {
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { status: number; errors?: Array<{ path: string }> };
    expect({ status: response.status, body: body.status }).toEqual({ status, body: status });
    return body;
  }
  const fieldsOf = async (response: Response) =>
    ((await problem(response, 400)).errors ?? []).map((e) => e.path);

  test('when a post, a bio, a comment or a login holds NUL or a lone surrogate, then 400 names the field and every list still reads', async () => {
    const post = await flock.call<{ id: string }>('POST', '/posts', alice.accessToken, {
      text: 'a fine post',
    });
    expect(post.status).toBe(201);
    const postId = post.body.id;

    expect(
      await fieldsOf(await send('POST', '/posts', JSON.stringify({ text: 'a\u0000b' }))),
    ).toEqual(['text']);
    expect(await fieldsOf(await send('POST', '/posts', '{"text":"x\\ud800y"}'))).toEqual(['text']);
    expect(
      await fieldsOf(
        await send('PATCH', `/users/${alice.user.id}`, JSON.stringify({ bio: 'a\u0000' })),
      ),
    ).toEqual(['bio']);
    expect(
      await fieldsOf(await send('POST', `/posts/${postId}/comments`, '{"text":"\\udfffx"}')),
    ).toEqual(['text']);
    const login = JSON.stringify({ login: 'alice\u0000', password: 'correct horse battery' });
    expect(await fieldsOf(await send('POST', '/auth/login', login))).toEqual(['login']);

    for (const list of ['/posts', '/users', `/posts/${postId}/comments`, `/posts/${postId}/thread`])
      expect({ list, status: (await send('GET', list)).status }).toEqual({ list, status: 200 });
  });

  test('when a post is 60,000 characters long, then 400 names the text', async () => {
    expect(
      await fieldsOf(await send('POST', '/posts', JSON.stringify({ text: 'a'.repeat(60_000) }))),
    ).toEqual(['text']);
  });

  test('when the body nests 5,000 levels deep, then 400 from the gateway, not 502', async () => {
    const deep = `{"text":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    const body = await problem(await send('POST', '/posts', deep), 400);
    expect(JSON.stringify(body)).toMatch(/nested deeper than 32 levels/);
  });

  test('when any route with a path parameter gets malformed percent-encoding, then 400 problem+json', async () => {
    const paths = apiDocument().paths as Record<string, Record<string, unknown>>;
    const operations = Object.entries(paths)
      .filter(([route]) => route.includes('{'))
      .flatMap(([route, methods]) => Object.keys(methods).map((method) => ({ route, method })));
    expect(operations.length).toBeGreaterThan(10);
    for (const { route, method } of operations) {
      const hostile = route.replace(/\{\w+\}/g, '%C0%AE');
      const response = await send(
        method.toUpperCase(),
        hostile,
        method === 'get' ? undefined : '{}',
      );
      expect({ hostile, method, status: response.status }).toEqual({
        hostile,
        method,
        status: 400,
      });
      await problem(response, 400);
    }
  });

  test('when the body does not match its Content-Encoding, then 400; when the encoding is unknown, then 415', async () => {
    await problem(await send('POST', '/posts', 'garbage', { 'content-encoding': 'br' }), 400);
    await problem(await send('POST', '/posts', 'garbage', { 'content-encoding': 'gzip' }), 400);
    await problem(await send('POST', '/posts', '{}', { 'content-encoding': 'compress' }), 415);
  });

  test('when a cursor was not issued by the list, then 400 naming the cursor, not 503', async () => {
    expect(await fieldsOf(await send('GET', '/users?cursor=InN0ciI'))).toEqual(['cursor']);
    expect(await fieldsOf(await send('GET', '/posts?cursor=eyJiZWZvcmUiOiJcdTAwMDAifQ'))).toEqual([
      'cursor',
    ]);
  });

  test('when the request headers are too large, then 431 with a problem+json body', async () => {
    const response = await fetch(`${api}/posts`, { headers: { 'x-padding': 'a'.repeat(20_000) } });
    const answer = {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
    expect({ status: answer.status, type: answer.type }).toEqual({
      status: 431,
      type: 'application/problem+json',
    });
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 431,
      title: 'Request Header Fields Too Large',
    });
  });

  /** Opens alice's notification stream; its response is the stream's headers. */
  async function openStream() {
    const hangUp = new AbortController();
    const response = await fetch(`${api}/notifications/stream`, {
      headers: { authorization: `Bearer ${alice.accessToken}`, accept: 'text/event-stream' },
      signal: hangUp.signal,
    });
    return { response, close: () => hangUp.abort() };
  }

  test('when one user opens more event streams than the cap, then 429 problem+json; closing one makes room', async () => {
    const streams = [];
    for (let i = 0; i < STREAMS; i++) {
      const stream = await openStream();
      expect(stream.response.status).toBe(200);
      streams.push(stream);
    }
    const body = await problem((await openStream()).response, 429);
    expect(JSON.stringify(body)).toMatch(/At most 2 open event streams/);

    streams.pop()!.close();
    let again = await openStream();
    for (let attempt = 0; attempt < 50 && again.response.status !== 200; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100)); // the gateway sees the hang-up
      again = await openStream();
    }
    expect(again.response.status).toBe(200);
    for (const stream of [...streams, again]) stream.close();
  });

  test('when the gateway is asked for /metrics without the metrics token, then 401; with it, the metrics', async () => {
    await problem(await fetch(`${flock.gatewayUrl}/metrics`), 401);
    await problem(
      await fetch(`${flock.gatewayUrl}/metrics`, {
        headers: { authorization: `Bearer ${alice.accessToken}` },
      }),
      401,
    );
    const scraped = await fetch(`${flock.gatewayUrl}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/^# HELP/m);
  });

  test('when a browser navigates to a client route, then the web app; when anything asks for an unknown API, OAuth or well-known path (Flock’s old /api/v1 among them), then 404 problem+json', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await fetch(`${flock.gatewayUrl}/users/alice`, { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<title>Flock<\/title>/);
    for (const unknown of [
      '/api/flock/v1/nope',
      // The Mastodon client API's space at the root (docs/api.md, "URL space"): Flock's own API
      // is not there, and no path in it is taken for the web app.
      '/api/v1/posts',
      '/api/v1/timeline/home',
      '/api/v2/posts',
      '/oauth/authorize',
      '/api',
      '/.well-known/security.txt',
    ])
      for (const headers of [html, { accept: 'application/json' }])
        await problem(await fetch(`${flock.gatewayUrl}${unknown}`, { headers }), 404);
    await problem(
      await fetch(`${flock.gatewayUrl}/users/alice`, { headers: { accept: '*/*' } }),
      404,
    );
  });

  test('when the anonymous budget is spent, then 429 whose Retry-After says what RateLimit-Reset says', async () => {
    let response: Response | undefined;
    for (let i = 0; i <= ANONYMOUS_PER_MINUTE && response?.status !== 429; i++) {
      response = await fetch(`${api}/posts?limit=1`);
      await response.body?.cancel();
    }
    expect(response?.status).toBe(429);
    const reset = Number(response!.headers.get('ratelimit-reset'));
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60);
    expect(response!.headers.get('retry-after')).toBe(String(reset));
  });
});
