import { freePort, testComponents } from '@flock/testing';
import { startSidecar, type Sidecar } from '../src/index.js';
import { apiGroup } from '../src/http/metrics.js';

/** One sample of the text exposition: `name{labels} value`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('sidecar metrics', () => {
  test('apiGroup names the API of a request, never its keys', () => {
    expect(apiGroup('/v1.0/state/store/some-key?metadata.x=1', {})).toBe('state');
    expect(apiGroup('/v1.0/publish/pubsub/post.created', {})).toBe('publish');
    expect(apiGroup('/v1.0-alpha1/bulkpublish/pubsub/t', {})).toBe('publish');
    expect(apiGroup('/v1.0/invoke/users/method/users/1', {})).toBe('invoke');
    expect(apiGroup('/users/1', { 'dapr-app-id': 'users' })).toBe('invoke');
    expect(apiGroup('/v1.0/secrets/store/name', {})).toBe('secrets');
    expect(apiGroup('/v1.0/metadata', {})).toBe('metadata');
    expect(apiGroup('/v1.0/healthz/outbound', {})).toBe('health');
    expect(apiGroup('/nowhere', {})).toBe('other');
  });

  describe('when metricsPort is set', () => {
    let sidecar: Sidecar;
    let metricsUrl: string;

    beforeAll(async () => {
      const metricsPort = await freePort();
      sidecar = await startSidecar({
        appId: 'metered',
        httpPort: 0,
        components: testComponents('statestore'),
        logLevel: 'silent',
        metricsPort,
      });
      metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    });

    afterAll(() => sidecar?.stop());

    test('then /metrics counts API requests by group and status, and times them', async () => {
      const save = await fetch(`${sidecar.url}/v1.0/state/statestore`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ key: 'k', value: 1 }]),
      });
      expect(save.status).toBe(204);
      expect((await fetch(`${sidecar.url}/v1.0/state/statestore/k`)).status).toBe(200);
      const publish = await fetch(`${sidecar.url}/v1.0/publish/pubsub/some-topic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      });
      expect(publish.status).toBe(204);
      expect((await fetch(`${sidecar.url}/v1.0/state/missing-store/k`)).status).toBe(400);
      expect((await fetch(`${sidecar.url}/v1.0/metadata`)).status).toBe(200);

      const response = await fetch(metricsUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      const total = 'sidecar_http_requests_total';
      expect(sample(text, total, { app_id: 'metered', api: 'state', status: '204' })).toBe(1);
      expect(sample(text, total, { api: 'state', method: 'GET', status: '200' })).toBe(1);
      expect(sample(text, total, { api: 'state', status: '400' })).toBe(1);
      expect(sample(text, total, { api: 'publish', method: 'POST', status: '204' })).toBe(1);
      expect(sample(text, total, { api: 'metadata', status: '200' })).toBe(1);
      expect(
        sample(text, 'sidecar_http_request_duration_seconds_count', {
          api: 'state',
          status: '204',
        }),
      ).toBe(1);
      expect(text).toContain('sidecar_process_resident_memory_bytes');
      expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
    });
  });

  test('when metricsPort is absent, then no metrics server is started', async () => {
    const port = await freePort();
    const sidecar = await startSidecar({
      appId: 'unmetered',
      httpPort: 0,
      components: testComponents('statestore'),
      logLevel: 'silent',
    });
    try {
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await sidecar.stop();
    }
  });
});
