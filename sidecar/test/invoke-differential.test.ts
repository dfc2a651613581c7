import { randomBytes } from 'node:crypto';
import {
  describeOnRuntimes,
  removeFolder,
  resourcesFolder,
  startOn,
  type TestSidecar,
} from './support/runtimes.js';
import { json, TestApp, type Received } from './support/test-app.js';

/**
 * Service invocation, differential: an app invoked through its own sidecar (daprd serves a call
 * to its own app-id locally), on Flock's sidecar and on daprd. What the app receives and what the
 * caller gets back are asserted as daprd does them.
 */
const MiB = 1024 * 1024;
const APP_TOKEN = 'app-token-for-invocation';

describeOnRuntimes('service invocation', (runtime) => {
  const appId = `invoked-${runtime}-${randomBytes(3).toString('hex')}`;
  const app = new TestApp({
    'PUT /items/42': () => ({
      status: 201,
      headers: { 'x-reply': 'yes', 'content-type': 'text/plain' },
      body: 'created',
    }),
    'GET /items/42': () => json({ id: 42 }),
    'DELETE /fail': () => json({ error: 'nope' }, 418),
    'POST /size': (r) => json({ bytes: Buffer.byteLength(r.body) }),
  });
  let folder: string;
  let sidecar: TestSidecar;
  const last = (): Received => app.received.at(-1) as Received;
  const invoke = (path: string, init: RequestInit = {}) =>
    fetch(`${sidecar.url}/v1.0/invoke/${appId}/method/${path}`, init);

  beforeAll(async () => {
    await app.start();
    folder = await resourcesFolder('');
    sidecar = await startOn(runtime, {
      appId,
      resources: folder,
      app: { port: app.port, appApiToken: APP_TOKEN },
    });
    await sidecar.connectApp();
  }, 90_000);
  afterAll(async () => {
    await sidecar?.stop();
    await app.stop();
    if (folder) await removeFolder(folder);
  });

  it('method, path, query, headers, status and body pass through both ways', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await invoke('items/42?x=1&y=two', {
      method: 'PUT',
      headers: { 'x-custom': 'c', 'content-type': 'text/plain', traceparent },
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
      'content-type': 'text/plain',
      'dapr-api-token': APP_TOKEN,
      traceparent,
    });
    // A call to its own app is served locally: none of the headers of daprd's remote hop.
    for (const hop of ['dapr-app-id', 'dapr-caller-app-id', 'dapr-callee-app-id', 'forwarded'])
      expect(got.headers[hop]).toBeUndefined();
  });

  it("an error status comes back unchanged, with the app's body", async () => {
    const res = await invoke('fail', { method: 'DELETE' });
    expect(res.status).toBe(418);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: 'nope' });
  });

  it('the dapr-app-id header routes any path to that app', async () => {
    const res = await fetch(`${sidecar.url}/items/42`, { headers: { 'dapr-app-id': appId } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 42 });
  });

  it('a body of 3 MiB reaches the app whole', async () => {
    const res = await invoke('size', { method: 'POST', body: 'x'.repeat(3 * MiB) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: 3 * MiB });
  });

  it("a body over daprd's default --max-body-size (4 MiB) is refused", async () => {
    const res = await invoke('size', { method: 'POST', body: 'x'.repeat(5 * MiB) });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({
      errorCode: 'ERR_DIRECT_INVOKE',
      message: expect.stringContaining('stream too large'),
    });
    expect(app.calls('POST', '/size').map((r) => r.body.length)).not.toContain(5 * MiB);
  });

  it('a route that is not invocation and has no dapr-app-id answers 404 ERR_DIRECT_INVOKE', async () => {
    const res = await fetch(`${sidecar.url}/v1.0/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ errorCode: 'ERR_DIRECT_INVOKE' });
  });
});
