// DELETE /api/tus/:id (termination): a PATCH in flight is stopped first; afterwards the URL gives 410.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TusUploads } from './tus-uploads.js';

export function deleteHandler(tus: TusUploads) {
  return async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    await tus.terminate(request.params.id);
    return reply.code(204).send();
  };
}
