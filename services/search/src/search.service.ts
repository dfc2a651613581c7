import { createService, Dapr, mountApi, SECRETS, type Logger, type Service } from '@flock/kit';
import type { SearchConfig } from './search.config.js';
import { SearchDomain } from './search.domain.js';
import { searchSubscriptions } from './search.events.js';
import { api } from './search.api.js';
import { searchHandlers } from './search.routes.js';
import { PgSearchIndex } from './search.store.js';

export interface SearchDeps {
  logger: Logger;
  /** Defaults to the `postgres-url` secret of the Dapr secret store. */
  connectionString?: string;
}

const PRUNE_INTERVAL_MS = 3600_000;

/** The search service wired to its sidecar and its database; index.ts and the tests share it. */
export async function buildService(
  config: SearchConfig,
  deps: SearchDeps,
): Promise<Service & { index: PgSearchIndex }> {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const connectionString =
    deps.connectionString ?? (await dapr.requiredSecret(SECRETS.postgresUrl));
  const index = await PgSearchIndex.open(
    connectionString,
    config.SEARCH_LANGUAGE,
    config.SEARCH_PG_POOL_MAX,
  );
  const search = new SearchDomain(index);
  const prune = () =>
    index
      .pruneProcessed()
      .catch((error: unknown) => logger.warn({ err: error }, 'pruning processed events failed'));
  void prune();
  const pruner = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
  pruner.unref();
  const service = createService({
    config,
    logger,
    routes: (app) => mountApi(app, api, searchHandlers(search)),
    subscriptions: searchSubscriptions(search),
    readiness: [dapr.readiness, { name: 'postgres', check: () => index.ping() }],
    onShutdown: [async () => clearInterval(pruner), () => index.close(), () => dapr.close()],
  });
  return Object.assign(service, { index });
}
