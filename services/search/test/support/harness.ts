import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { publish, startServiceUnderTest } from '@flock/testing';
import { parseComponents, type Sidecar } from '@flock/sidecar';
import { componentYaml } from '@flock/sidecar';
import { searchConfigSchema } from '../../src/search.config.js';
import { buildService } from '../../src/search.service.js';
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
  const search = await startServiceUnderTest({
    appId: 'search',
    configSchema: searchConfigSchema,
    build: buildService,
    components: parseComponents(
      [
        componentYaml('secretstore', 'secretstores.local.file', { secretsFile }),
        componentYaml('pubsub', 'pubsub.in-memory', {
          deliveryMaxRetries: '5',
          deliveryInitialInterval: '20ms',
          deliveryMaxInterval: '200ms',
        }),
      ].join('---\n'),
      'search-components.yaml',
    ),
  });
  return {
    url: search.url,
    sidecar: search.sidecar,
    index: search.built.index,
    publish: (topic, data, id) => publish(search.sidecar, topic, data, id),
    async stop() {
      await search.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
