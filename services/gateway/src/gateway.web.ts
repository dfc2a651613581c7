import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import expressStaticGzip from 'express-static-gzip';
import type { Logger } from '@flock/kit';

/** Paths the gateway itself answers; everything else that is a GET may be a client route. */
const SERVER_PATHS = new Set([
  '/docs',
  '/docs/',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/metrics',
]);

/** Prefixes that never name a client route: the APIs (Flock's and the Mastodon client API's), OAuth, well-known URIs, the sidecar's calls. */
const SERVER_PREFIXES = ['/api/', '/oauth/', '/.well-known/', '/dapr/'];

const isClientRoute = (path: string) =>
  !SERVER_PATHS.has(path) && path !== '/api' && !SERVER_PREFIXES.some((p) => path.startsWith(p));

/**
 * The web client (`web/`, built by Vite into `web/dist`) at `/`, from the same origin as the API.
 * Hashed assets are cached for a year; index.html never, so a deploy shows at the next load.
 * The build writes each text file precompressed beside it (.br, .gz; web/vite.config.ts): the
 * client that accepts brotli gets that, else gzip, else the file itself (with Vary set).
 * A browser navigating to an unknown client path gets index.html (the client routes in the
 * browser); anything else unknown, an API call above all, gets the 404 problem+json.
 */
export function webRoutes(app: Express, webDir: string, logger: Logger): void {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ webDir }, 'no built web client; serving the API only (run npm run build -w web)');
    return;
  }
  const precompressed = (dir: string, serveStatic: { immutable?: boolean; maxAge: string }) =>
    expressStaticGzip(dir, {
      enableBrotli: true,
      orderPreference: ['br', 'gzip'],
      index: false,
      serveStatic: { ...serveStatic, index: false },
    });
  app.use(
    '/assets',
    precompressed(path.join(webDir, 'assets'), { immutable: true, maxAge: '365d' }),
  );
  app.use(precompressed(webDir, { maxAge: '0' }));
  app.use((req, res, next) => {
    const navigation = (req.get('accept') ?? '').includes('text/html');
    if (req.method !== 'GET' || !navigation || !isClientRoute(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
