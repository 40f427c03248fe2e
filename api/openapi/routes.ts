import path from 'node:path';
import express, { Router } from 'express';
import { mount } from '../http/route';
import { routes } from '../routes';
import { openApiDocument } from './document';

const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IB/MB user lifecycle API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;

/** GET /openapi.json (generated once at start) and GET /docs (Swagger UI, served locally). */
export function openApiRouter(): Router {
  const doc = openApiDocument();
  const router = Router();
  mount(router, routes.openApiJson, {}, (_req, res) => {
    res.json(doc);
  });
  mount(router, routes.docs, {}, (_req, res) => {
    res.type('html').send(page);
  });
  router.use('/docs/assets', express.static(swaggerDir, { index: false, maxAge: '1h' }));
  return router;
}
