// GET /api/uploads/:id/content: the stored bytes, never as active content. Every response carries
// nosniff and a sandboxing CSP; only raster images are shown inline, everything else (HTML, SVG,
// scripts, unknown types) is an attachment. Single byte ranges are honoured (RFC 9110 §14).
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import type { BlobStore } from '../storage/storage.js';
import { parseRange } from './byte-range.js';
import { contentDisposition } from './content-disposition.js';
import { isInlineSafe } from './media-type.js';
import { findUpload, type UploadIndex } from './upload-index.js';

export function registerContentRoute(app: FastifyInstance, blobs: BlobStore, index: UploadIndex): void {
  app.get<{ Params: { id: string } }>('/api/uploads/:id/content', async (request, reply) => {
    const upload = await findUpload(index, request.params.id);
    if (!upload) throw new errors.UPLOAD_NOT_FOUND(request.params.id);
    const type = upload.type;
    const disposition = contentDisposition(isInlineSafe(type) ? 'inline' : 'attachment', upload.name);
    // A backend may hand the download to the bucket (S3_PRESIGNED_DOWNLOADS), with the same headers.
    const direct = await blobs.downloadUrl(upload, { contentType: type, contentDisposition: disposition });
    if (direct) return reply.header('Cache-Control', 'private, no-cache').redirect(direct, 302);
    const size = upload.size;
    const range = parseRange(request.headers.range, size);
    const { start, end } = range === 'unsatisfiable' || range === null ? { start: 0, end: size - 1 } : range;
    // Opened before answering so a blob deleted meanwhile is a clean 404, not a broken stream.
    const body =
      range === 'unsatisfiable'
        ? null
        : await blobs.read(upload.id, range).catch((error: NodeJS.ErrnoException) => {
            throw error.code === 'ENOENT' ? new errors.UPLOAD_NOT_FOUND(upload.id) : error;
          });

    reply
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Content-Type', type)
      .header('Content-Disposition', disposition)
      .header('Accept-Ranges', 'bytes')
      .header('Last-Modified', new Date(upload.completedAt!).toUTCString())
      .header('Cache-Control', 'private, no-cache');
    if (upload.sha256) reply.header('ETag', `"${upload.sha256}"`);

    if (body === null) {
      // RFC 9110 §15.5.17: a 416 names the current length.
      return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    }
    if (range) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${size}`);
    reply.header('Content-Length', end - start + 1);
    return reply.send(body);
  });
}
