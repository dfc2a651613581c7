import { createServer } from 'node:net';
import { HttpMethod, type DaprClient } from '@dapr/dapr';
import type { AppAddress, Sidecar } from '../src/index.js';
import { sdkClient, startTestSidecar } from './support/sidecars.js';
import { json, TestApp, type Received } from './support/test-app.js';

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('service invocation', () => {
  const target = new TestApp({
    'POST /echo': (r) => json({ got: JSON.parse(r.body) as unknown }),
    'PUT /items/42': () => ({
      status: 201,
      headers: { 'x-reply': 'yes', 'content-type': 'text/plain' },
      body: 'created',
    }),
    'GET /items/42': () => json({ id: 42 }),
  });
  const apps = new Map<string, AppAddress>();
  let caller: Sidecar;
  let client: DaprClient;
  const last = (): Received => target.received.at(-1) as Received;

  beforeAll(async () => {
    await target.start();
    apps.set('target', { host: '127.0.0.1', port: target.port, appApiToken: 'target-token' });
    apps.set('down', { host: '127.0.0.1', port: await closedPort() });
    caller = await startTestSidecar('', { appId: 'caller', resolveApp: (id) => apps.get(id) });
    client = sdkClient(caller);
  });

  afterAll(async () => {
    await client?.stop();
    await caller?.stop();
    await target.stop();
  });

  it('when the SDK invokes a method, then the target answers through the sidecar', async () => {
    expect(await client.invoker.invoke('target', 'echo', HttpMethod.POST, { a: 1 })).toEqual({
      got: { a: 1 },
    });
    expect(last().headers['dapr-caller-app-id']).toBe('caller');
  });

  it('when invoking over raw HTTP, then method, path, query, headers, status and body pass through', async () => {
    const res = await fetch(`${caller.url}/v1.0/invoke/target/method/items/42?x=1&y=two`, {
      method: 'PUT',
      headers: {
        'x-custom': 'c',
        'content-type': 'text/plain',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      body: 'payload',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-reply')).toBe('yes');
    expect(await res.text()).toBe('created');
    const got = last();
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/items/42?x=1&y=two');
    expect(got.body).toBe('payload');
    expect(got.headers).toMatchObject({
      'x-custom': 'c',
      'dapr-caller-app-id': 'caller',
      'dapr-callee-app-id': 'target',
      'dapr-api-token': 'target-token',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': `127.0.0.1:${caller.port}`,
    });
    expect(got.headers.forwarded).toContain('for=127.0.0.1');
    expect(got.headers['dapr-app-id']).toBeUndefined();
  });

  it('when the dapr-app-id header is used on any path, then the request is proxied to that app', async () => {
    const res = await fetch(`${caller.url}/items/42`, { headers: { 'dapr-app-id': 'target' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 42 });
  });

  it('when the target app is down or unknown, then the API answers 500 ERR_DIRECT_INVOKE', async () => {
    for (const app of ['down', 'nobody']) {
      const res = await fetch(`${caller.url}/v1.0/invoke/${app}/method/x`);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({
        errorCode: 'ERR_DIRECT_INVOKE',
        message: expect.stringContaining(app),
      });
    }
  });

  it('when a route is unknown and no dapr-app-id header is sent, then the API answers 404 ERR_DIRECT_INVOKE', async () => {
    const res = await fetch(`${caller.url}/v1.0/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      errorCode: 'ERR_DIRECT_INVOKE',
      message: 'failed getting app id either from the URL path or the header dapr-app-id',
    });
  });
});
