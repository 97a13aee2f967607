// CORS for cross-origin uploaders (Fetch standard §3.2), and the Origin check on writes. With CORS_ORIGINS empty nothing is
// registered: no Access-Control-* headers at all, so browsers allow same-origin pages only.
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { errors } from './errors.js';
import { isOriginAllowed } from './origin-policy.js';
import { TUS_REQUEST_HEADERS, TUS_RESPONSE_HEADERS } from './tus/headers.js';

export async function registerCors(app: FastifyInstance, corsOrigins: Config['corsOrigins']): Promise<void> {
  // A multipart POST is a CORS "simple request": the browser sends it without a preflight and only
  // hides the answer. So a page from a foreign origin is refused here, before the body is read,
  // rather than trusted to be stopped by the browser (the CSRF case). Reads stay with CORS headers.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
    const { origin, host } = request.headers;
    if (!isOriginAllowed(origin, host, corsOrigins)) throw new errors.ORIGIN_NOT_ALLOWED(origin);
  });

  if (corsOrigins !== '*' && corsOrigins.length === 0) return;
  await app.register(fastifyCors, {
    // A listed origin is echoed back (with Vary: Origin); any other gets no Access-Control-Allow-Origin.
    origin:
      corsOrigins === '*'
        ? '*'
        : (origin, cb) => cb(null, origin !== undefined && corsOrigins.includes(origin)),
    methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
    // Content-Type multipart/form-data is safelisted; these are not, so the preflight must name them.
    allowedHeaders: ['Authorization', 'Content-Type', 'Range', 'X-Upload-Ref', ...TUS_REQUEST_HEADERS],
    // What a cross-origin page reads from downloads and error responses beyond the safelisted headers;
    // without the tus ones a browser client cannot read Location or Upload-Offset at all.
    exposedHeaders: [
      'Content-Disposition',
      'Content-Range',
      'Accept-Ranges',
      'Content-Length',
      ...TUS_RESPONSE_HEADERS,
    ],
    maxAge: 600,
  });
}
