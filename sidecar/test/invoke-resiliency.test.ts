import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSidecar, type Sidecar } from '../src/index.js';
import { parseResiliency } from '../src/resiliency.js';
import { parseDocument } from 'yaml';

const RESILIENCY = `
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: { name: invoke }
spec:
  policies:
    timeouts: { quick: 300ms }
    retries: { twice: { policy: constant, duration: 10ms, maxRetries: 2 } }
    circuitBreakers: { fragile: { maxRequests: 1, interval: 0s, timeout: 30s, trip: consecutiveFailures > 2 } }
  targets:
    apps:
      flaky: { timeout: quick, retry: twice }
      broken: { circuitBreaker: fragile }
`;

/** An app answering from a script of statuses (the last one repeats); counts its calls. */
async function scriptedApp(statuses: number[], delayMs = 0) {
  let calls = 0;
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      const status = statuses[Math.min(calls, statuses.length - 1)]!;
      calls++;
      setTimeout(
        () =>
          res
            .writeHead(status, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status, call: calls })),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    calls: () => calls,
    bodies,
    close: () => new Promise((r) => server.close(r)),
  };
}

describe('service invocation under a Resiliency policy (targets.apps)', () => {
  const apps: Array<{ close(): Promise<unknown> }> = [];
  let sidecar: Sidecar;
  const targets = new Map<string, number>();

  beforeAll(async () => {
    sidecar = await startSidecar({
      appId: 'caller',
      httpPort: 0,
      components: [],
      logLevel: 'silent',
      resiliency: parseResiliency(
        parseDocument(RESILIENCY).toJS() as Record<string, unknown>,
        'test.yaml',
      ),
      resolveApp: (appId) =>
        targets.has(appId) ? { host: '127.0.0.1', port: targets.get(appId)! } : undefined,
    });
  });
  afterAll(async () => {
    await sidecar.stop();
    for (const app of apps) await app.close();
  });

  const serve = async (appId: string, statuses: number[], delayMs = 0) => {
    const app = await scriptedApp(statuses, delayMs);
    apps.push(app);
    targets.set(appId, app.port);
    return app;
  };
  const invoke = (appId: string, body = '{"n":1}') =>
    fetch(`${sidecar.url}/v1.0/invoke/${appId}/method/work`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });

  test('when the app fails twice with 503 and then answers, then the retry policy hides the failures and resends the body', async () => {
    const app = await serve('flaky', [503, 503, 200]);
    const response = await invoke('flaky', '{"order":42}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, call: 3 });
    expect(app.bodies).toEqual(['{"order":42}', '{"order":42}', '{"order":42}']);
  });

  test('when the app keeps failing, then after the retries its own answer comes back unchanged', async () => {
    const app = await serve('flaky', [502]);
    const response = await invoke('flaky');
    expect(response.status).toBe(502);
    expect(app.calls()).toBe(3); // the first try and two retries
  });

  test('when the app answers 4xx, then it is not retried: the caller made the mistake', async () => {
    const app = await serve('flaky', [404]);
    expect((await invoke('flaky')).status).toBe(404);
    expect(app.calls()).toBe(1);
  });

  test('when the app is slower than the timeout, then each try is cut and the call fails with ERR_DIRECT_INVOKE', async () => {
    const app = await serve('flaky', [200], 1_000);
    const response = await invoke('flaky');
    expect(response.status).toBe(500);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe('ERR_DIRECT_INVOKE');
    expect(app.calls()).toBe(3);
  });

  test('when failures trip the circuit breaker, then calls fail fast without reaching the app', async () => {
    const app = await serve('broken', [500]);
    for (let i = 0; i < 3; i++) expect((await invoke('broken')).status).toBe(500);
    const reached = app.calls();
    const response = await invoke('broken');
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /circuit breaker is open/,
    );
    expect(app.calls()).toBe(reached);
  });

  test('when the target has no policy, then failures pass straight through once', async () => {
    const app = await serve('plain', [503]);
    expect((await invoke('plain')).status).toBe(503);
    expect(app.calls()).toBe(1);
  });
});
