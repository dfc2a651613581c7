import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig, type RunningService } from '@flock/kit';
import type { Sidecar } from '../../../../sidecar/src/index.js';
import { componentYaml, startTestSidecar } from '../../../../sidecar/test/support/sidecars.js';
import { buildSearchService, searchConfigSchema } from '../../src/search.service.js';
import type { PgSearchIndex } from '../../src/search.store.js';

/** A free TCP port on loopback (the sidecar must know its app's port before the app starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface SearchHarness {
  url: string;
  sidecar: Sidecar;
  index: PgSearchIndex;
  publish(topic: string, data: unknown, id?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The search service on an ephemeral port behind a real sidecar: the in-memory broker (fast
 * retries) and a local-file secret store holding `postgres-url`, which the service reads at start.
 */
export async function startSearch(connectionString: string): Promise<SearchHarness> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flock-search-'));
  const secretsFile = path.join(dir, 'secrets.json');
  await writeFile(secretsFile, JSON.stringify({ 'postgres-url': connectionString }));
  const port = await freePort();
  const sidecar = await startTestSidecar(
    [
      componentYaml('secretstore', 'secretstores.local.file', { secretsFile }),
      componentYaml('pubsub', 'pubsub.in-memory', {
        deliveryMaxRetries: '5',
        deliveryInitialInterval: '20ms',
        deliveryMaxInterval: '200ms',
      }),
    ].join('---\n'),
    { appId: 'search', app: { host: '127.0.0.1', port } },
  );
  const config = loadConfig(searchConfigSchema, {
    APP_ID: 'search',
    APP_PORT: String(port),
    APP_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(sidecar.port),
  });
  const built = await buildSearchService(config, {
    logger: createLogger('search', process.env.SEARCH_TEST_LOG === 'debug' ? 'warn' : 'silent'),
  });
  const service: RunningService = await built.start();
  await sidecar.connectApp();
  return {
    url: service.url,
    sidecar,
    index: built.index,
    async publish(topic, data, id) {
      const query = id ? `?metadata.cloudevent.id=${encodeURIComponent(id)}` : '';
      const response = await fetch(`${sidecar.url}/v1.0/publish/pubsub/${topic}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(data),
      });
      if (response.status !== 204) throw new Error(`publish ${topic}: ${response.status}`);
    },
    async stop() {
      await service.stop();
      await sidecar.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
