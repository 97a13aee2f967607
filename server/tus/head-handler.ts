// HEAD /api/tus/:id: where to resume (tus 1.0 §HEAD). Upload-Offset is always sent, also 0 and also
// for a finished upload (tus-js-client then reports success without sending anything).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { draftVersion } from './ietf-draft.js';
import type { TusUploads } from './tus-uploads.js';
import { TUS_PATH } from './upload-url.js';

export function headHandler(tus: TusUploads, maxSize: number) {
  return async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const { record, completed, offset } = await tus.head(request.params.id);
    reply.code(200).header('Cache-Control', 'no-store').header('Upload-Offset', String(offset));
    if (draftVersion(request)) {
      reply.header('Upload-Complete', completed ? '?1' : '?0').header('Upload-Limit', `max-size=${maxSize}`);
    }
    if (completed) return reply.header('Upload-Length', String(completed.size)).send();
    const { upload, metadata, concat } = record!;
    if (upload.expected === null) reply.header('Upload-Defer-Length', '1');
    else reply.header('Upload-Length', String(upload.expected));
    if (metadata !== null) reply.header('Upload-Metadata', metadata);
    if (concat?.kind === 'partial') reply.header('Upload-Concat', 'partial');
    if (concat?.kind === 'final') {
      reply.header('Upload-Concat', `final;${concat.parts.map((id) => `${TUS_PATH}/${id}`).join(' ')}`);
    }
    return reply.header('Upload-Expires', new Date(record!.expiresAt).toUTCString()).send();
  };
}
