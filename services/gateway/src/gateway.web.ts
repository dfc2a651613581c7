import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import express from 'express';
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

/** Prefixes that never name a client route: the API, well-known URIs, the sidecar's calls. */
const SERVER_PREFIXES = ['/api/', '/.well-known/', '/dapr/'];

const isClientRoute = (path: string) =>
  !SERVER_PATHS.has(path) && path !== '/api' && !SERVER_PREFIXES.some((p) => path.startsWith(p));

/**
 * The web client (`web/`, built by Vite into `web/dist`) at `/`, from the same origin as the API.
 * Hashed assets are cached for a year; index.html never, so a deploy shows at the next load.
 * A browser navigating to an unknown client path gets index.html (the client routes in the
 * browser); anything else unknown, an API call above all, gets the 404 problem+json.
 */
export function webRoutes(app: Express, webDir: string, logger: Logger): void {
  const index = path.join(webDir, 'index.html');
  if (!existsSync(index)) {
    logger.warn({ webDir }, 'no built web client; serving the API only (run npm run build -w web)');
    return;
  }
  app.use(
    '/assets',
    express.static(path.join(webDir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  app.use(express.static(webDir, { index: false, maxAge: 0 }));
  app.use((req, res, next) => {
    const navigation = (req.get('accept') ?? '').includes('text/html');
    if (req.method !== 'GET' || !navigation || !isClientRoute(req.path)) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
