// GET /embed/livedrop-upload.js: the `<livedrop-upload>` element (web/embed/, built by `npm run
// build` into dist/embed). It is public code, so any origin may load it (Access-Control-Allow-Origin:
// *, which module scripts need across origins); what it calls is what CORS_ORIGINS and tokens guard.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export const EMBED_SCRIPT = 'livedrop-upload.js';

export function registerEmbedRoute(app: FastifyInstance, embedRoot: string): void {
  app.get(`/embed/${EMBED_SCRIPT}`, async (_request, reply) => {
    const code = await readFile(join(embedRoot, EMBED_SCRIPT)).catch(() => null);
    reply.header('access-control-allow-origin', '*');
    if (code === null) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('The embed module is not built: run `npm run build`.\n');
    }
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(code);
  });
}
