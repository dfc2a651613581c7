import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import express from 'express';
import type { Logger } from '@flock/kit';
import { API_PREFIX } from './gateway.routes.js';

/**
 * The web client (`web/`, built by Vite into `web/dist`) at `/`, from the same origin as the API.
 * Hashed assets are cached for a year; index.html never, so a deploy shows at the next load.
 * Unknown non-API GETs answer index.html: the client routes in the browser.
 */
/** Paths the gateway itself answers; everything else that is a GET may be a client route. */
const SERVER_PATHS = new Set([
  '/docs',
  '/docs/',
  '/openapi.json',
  '/healthz',
  '/readyz',
  '/metrics',
]);

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
    const serverPath =
      req.path.startsWith(`${API_PREFIX}/`) ||
      req.path.startsWith('/dapr/') || // the sidecar asks the app for its subscriptions here
      SERVER_PATHS.has(req.path);
    if (req.method !== 'GET' || serverPath) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
