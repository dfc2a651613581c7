import {
  Dapr,
  SECRETS,
  baseConfigSchema,
  createService,
  type Logger,
  type Service,
} from '@flock/kit';
import { z } from 'zod';
import { SearchDomain } from './search.domain.js';
import { searchSubscriptions } from './search.events.js';
import { searchRoutes } from './search.routes.js';
import { PgSearchIndex } from './search.store.js';

export const searchConfigSchema = baseConfigSchema.extend({
  /** The text search configuration for post text (`simple` is always used for hashtags). */
  SEARCH_LANGUAGE: z
    .string()
    .regex(/^[a-z_]{1,63}$/, 'a text search configuration name such as english')
    .default('english'),
  SEARCH_PG_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
});
export type SearchConfig = z.infer<typeof searchConfigSchema>;

export interface SearchDeps {
  logger: Logger;
  /** Defaults to the `postgres-url` secret of the Dapr secret store. */
  connectionString?: string;
}

const PRUNE_INTERVAL_MS = 3600_000;

/** The search service wired to its sidecar and its database; index.ts and the tests share it. */
export async function buildSearchService(
  config: SearchConfig,
  deps: SearchDeps,
): Promise<Service & { index: PgSearchIndex }> {
  const { logger } = deps;
  const dapr = new Dapr(config, logger);
  const connectionString =
    deps.connectionString ?? (await dapr.secret(SECRETS.postgresUrl))[SECRETS.postgresUrl];
  if (!connectionString) throw new Error(`secret ${SECRETS.postgresUrl} has no value`);
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
    routes: (app) => searchRoutes(app, search),
    subscriptions: searchSubscriptions(search),
    readiness: [dapr.readiness, { name: 'postgres', check: () => index.ping() }],
    onShutdown: [async () => clearInterval(pruner), () => index.close(), () => dapr.close()],
  });
  return Object.assign(service, { index });
}
