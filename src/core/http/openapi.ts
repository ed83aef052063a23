import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './context.ts'

export const OPENAPI_PATH = '/api/openapi.json'
export const DOCS_ASSETS_PATH = '/api/docs/assets'

// `identifier` (an SPDX expression) is OpenAPI 3.1, which @hono/zod-openapi's config type (3.0) does not
// list; declared apart so the document still carries it.
const LICENSE = { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' }

/** Publishes the OpenAPI 3.1 document built from the routes' own zod schemas, and a reference page. */
export function publishOpenApi(app: OpenAPIHono<AppEnv>, version: string) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sillon.session_token',
    description:
      'Browser session set by POST /api/auth/login (unsafe methods must come from an allowed Origin).',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API token created with POST /api/tokens or `sillon token create`.',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'cfAccess', {
    type: 'apiKey',
    in: 'header',
    name: 'Cf-Access-Jwt-Assertion',
    description:
      'Cloudflare Access assertion, added by Access in front of Sillon; accepted when the server sets ' +
      'CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD.',
  })
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Sillon API',
      version,
      description:
        'Multi-tenant learning platform. Errors always have the shape `{ "error": { "code", "message", "details" } }`. ' +
        'Each operation lists who may call it in `x-sillon-access`.',
      license: LICENSE,
    },
    // Relative, so the document is right whichever address the server is reached at.
    servers: [{ url: '/', description: 'This Sillon server' }],
  })
  app.get('/api/docs', (c) =>
    c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sillon API reference</title>
<link rel="stylesheet" href="${DOCS_ASSETS_PATH}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS_PATH}/start.js"></script>
</body>
</html>`),
  )
  app.get(`${DOCS_ASSETS_PATH}/start.js`, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(
      `window.ui = SwaggerUIBundle({ url: '${OPENAPI_PATH}', dom_id: '#swagger-ui', deepLinking: true })`,
    )
  })
}
