import type { Express } from 'express';
import express from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

/** `/openapi.json` and Swagger UI at `/docs`, served from the swagger-ui-dist package. */
export function docsRoutes(app: Express, document: Record<string, unknown>): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Flock API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });</script>
</body></html>`);
  });
  app.use('/docs/assets', express.static(getAbsoluteFSPath(), { index: false, maxAge: '1h' }));
}
