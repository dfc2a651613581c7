import { createServer, type Server } from 'node:http';
import { KEEP_ALIVE, setServerTimeouts, type Logger } from '@flock/kit';
import { ApiError, sendError, sendPlain } from './errors.js';
import type { SidecarMetrics } from './metrics.js';
import { parseTarget, readBody, type Handler, type Router } from './router.js';

/** Health endpoints stay reachable without the API token, as in daprd's APITokenAuthMiddleware. */
const TOKEN_EXEMPT = new Set(['/v1.0/healthz', '/v1.0/healthz/outbound']);

export interface ServerDeps {
  router: Router;
  /** Runs when no route matches (daprd's invoke fallback). */
  fallback: Handler;
  apiToken: string | undefined;
  logger: Logger;
  /** Counts every API request by group and status (served on the metrics port). */
  metrics?: SidecarMetrics;
}

export function createApiServer({
  router,
  fallback,
  apiToken,
  logger,
  metrics,
}: ServerDeps): Server {
  const server = createServer((raw, res) => {
    metrics?.observe(raw, res);
    const method = raw.method ?? 'GET';
    const { rawSegments, query, metadata } = parseTarget(raw.url ?? '/');
    const path = `/${rawSegments.join('/')}`;
    if (
      apiToken &&
      !(method === 'GET' && TOKEN_EXEMPT.has(path)) &&
      raw.headers['dapr-api-token'] !== apiToken
    ) {
      sendPlain(res, 401, 'invalid api token');
      raw.resume();
      return;
    }
    delete raw.headers['dapr-api-token'];
    const match = router.match(method, rawSegments);
    const handler = match?.handler ?? fallback;
    const req = {
      raw,
      method,
      params: match?.params ?? {},
      rawSegments,
      query,
      metadata,
      body: () => readBody(raw),
    };
    handler(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) return sendError(res, err);
      logger.error({ err, method, path }, 'unhandled error in the sidecar API');
      sendError(res, new ApiError(500, 'ERR_INTERNAL', (err as Error).message));
    });
  });
  setServerTimeouts(server, KEEP_ALIVE.sidecarServerIdleMs);
  return server;
}
