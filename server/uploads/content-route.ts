// GET /api/uploads/:id/content: the stored bytes, never as active content. Every response carries
// nosniff and a sandboxing CSP; only raster images are shown inline, everything else (HTML, SVG,
// scripts, unknown types) is an attachment. Single byte ranges are honoured (RFC 9110 §14).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { parseRange } from './byte-range.js';
import { contentDisposition } from './content-disposition.js';
import { isInlineSafe } from './media-type.js';
import type { UploadStore } from './upload-store.js';

export function registerContentRoute(app: FastifyInstance, store: UploadStore): void {
  app.get<{ Params: { id: string } }>('/api/uploads/:id/content', async (request, reply) => {
    const upload = store.get(request.params.id);
    if (!upload) throw new errors.UPLOAD_NOT_FOUND(request.params.id);
    // Open before answering so a file deleted meanwhile is a clean 404, not a broken stream.
    const file = await open(store.dataPath(upload.id)).catch(() => {
      throw new errors.UPLOAD_NOT_FOUND(upload.id);
    });
    const size = upload.size;

    reply
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox")
      .header('Content-Type', upload.type)
      .header(
        'Content-Disposition',
        contentDisposition(isInlineSafe(upload.type) ? 'inline' : 'attachment', upload.name),
      )
      .header('Accept-Ranges', 'bytes')
      .header('Last-Modified', new Date(upload.completedAt!).toUTCString())
      .header('Cache-Control', 'private, no-cache');
    if (upload.sha256) reply.header('ETag', `"${upload.sha256}"`);

    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      await file.close();
      // RFC 9110 §15.5.17: a 416 names the current length.
      return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    if (range) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${size}`);
    reply.header('Content-Length', end - start + 1);
    if (size === 0) {
      await file.close();
      return reply.send('');
    }
    return reply.send(createReadStream('', { fd: file, start, end }));
  });
}
