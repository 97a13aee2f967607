// GET /api/openapi.json: the document, built and serialised once, on the first request.
import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument } from './document.js';

export function registerOpenApiRoute(app: FastifyInstance): void {
  let json: string | undefined;
  app.get('/api/openapi.json', async (_request, reply) => {
    json ??= JSON.stringify(buildOpenApiDocument());
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
