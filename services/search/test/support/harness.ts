import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, loadConfig, type RunningService } from '@flock/kit';
import { freePort, publish } from '@flock/testing';
import type { Sidecar } from '../../../../sidecar/src/index.js';
import { componentYaml, startTestSidecar } from '../../../../sidecar/test/support/sidecars.js';
import { buildSearchService, searchConfigSchema } from '../../src/search.service.js';
import type { PgSearchIndex } from '../../src/search.store.js';

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
    publish: (topic, data, id) => publish(sidecar, topic, data, id),
    async stop() {
      await service.stop();
      await sidecar.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
