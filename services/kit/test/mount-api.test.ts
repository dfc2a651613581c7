import { z } from 'zod';
import {
  USER_ID_HEADER,
  USERNAME_HEADER,
  createLogger,
  createService,
  defineApi,
  loadConfig,
  baseConfigSchema,
  mountApi,
  pageQuery,
  publicRoutes,
  type RunningService,
} from '../src/index.js';

/** One declaration per route: what a client of a service sees of it, through real HTTP. */
const api = defineApi({
  appId: 'things',
  tag: 'things',
  routes: {
    create: {
      method: 'post',
      path: '/things',
      access: 'auth',
      summary: 'Create a thing.',
      body: z.object({ name: z.string().min(1) }),
      responses: { 201: z.object({ name: z.string(), owner: z.string() }) },
    },
    remove: {
      method: 'delete',
      path: '/things/:id',
      access: 'auth',
      summary: 'Delete a thing.',
      params: z.object({ id: z.uuid() }),
      responses: { 204: null },
    },
    list: {
      method: 'get',
      path: '/things',
      access: 'optional-auth',
      summary: 'Things, a page at a time.',
      query: pageQuery,
      responses: { 200: z.object({ n: z.number() }) },
      paginated: true,
      pageExtras: z.object({ viewer: z.string() }),
    },
    census: {
      method: 'get',
      path: '/internal/things/count',
      access: 'internal',
      summary: 'How many things (for other services).',
      responses: { 200: z.object({ count: z.number() }) },
    },
  },
});

let running: RunningService;
const removed: string[] = [];

beforeAll(async () => {
  const config = loadConfig(baseConfigSchema, {
    APP_ID: 'things',
    APP_PORT: '0',
    APP_HOST: '127.0.0.1',
  });
  const service = createService({
    config,
    logger: createLogger('things', 'silent'),
    routes: (app) =>
      mountApi(app, api, {
        create: async ({ caller, body }) => ({ name: body.name, owner: caller.username }),
        remove: async ({ params }) => void removed.push(params.id),
        list: async ({ caller, query }) => ({
          items: Array.from({ length: query.limit }, (_, n) => ({ n })),
          nextCursor: 'more',
          viewer: caller?.username ?? 'anonymous',
        }),
        census: async () => ({ count: 3 }),
      }),
  });
  running = await service.start();
});

afterAll(() => running?.stop());

const ann = { [USER_ID_HEADER]: 'u-1', [USERNAME_HEADER]: 'ann' };
const send = (method: string, path: string, init: { headers?: object; body?: unknown } = {}) =>
  fetch(`${running.url}${path}`, {
    method,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    } as Record<string, string>,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

describe('a service API mounted from its declaration', () => {
  test('when a route declares one success status, then the handler’s answer goes out with it', async () => {
    const response = await send('POST', '/things', { headers: ann, body: { name: 'kettle' } });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ name: 'kettle', owner: 'ann' });
  });

  test('when an auth route is called without a caller, then it is 401 before the body is judged', async () => {
    const response = await send('POST', '/things', { body: { name: '' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  });

  test('when params or the body break the route’s schema, then it is a 400 problem naming the field', async () => {
    const badBody = await send('POST', '/things', { headers: ann, body: { name: '' } });
    expect(badBody.status).toBe(400);
    expect(JSON.stringify(await badBody.json())).toContain('name');
    const badId = await send('DELETE', '/things/not-a-uuid', { headers: ann });
    expect(badId.status).toBe(400);
    expect(removed).toEqual([]);
  });

  test('when a bodiless route succeeds, then it answers 204 with nothing', async () => {
    const id = '0b6f5d64-3d8e-4c55-9f43-6f1d4a5b2c11';
    const response = await send('DELETE', `/things/${id}`, { headers: ann });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(removed).toEqual([id]);
  });

  test('when a paginated route answers, then the page has its items, cursor, extras and a Link', async () => {
    const response = await send('GET', '/things?limit=2');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      items: [{ n: 0 }, { n: 1 }],
      nextCursor: 'more',
      viewer: 'anonymous',
    });
    expect(response.headers.get('link')).toBe('</things?limit=2&cursor=more>; rel="next"');
    const badLimit = await send('GET', '/things?limit=1000');
    expect(badLimit.status).toBe(400);
  });

  test('when the gateway asks for the public routes, then internal ones are not among them', async () => {
    expect(publicRoutes(api).map((route) => route.path)).toEqual([
      '/things',
      '/things/:id',
      '/things',
    ]);
    const internal = await send('GET', '/internal/things/count');
    expect(await internal.json()).toEqual({ count: 3 });
  });
});
