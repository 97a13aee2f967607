// PATCH /api/tus/:id: append the body at Upload-Offset (tus 1.0 §PATCH, §checksum,
// §creation-defer-length). 204 with the new, durable Upload-Offset; a body cut short keeps its bytes.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { parseByteCount, parseChecksum } from './headers.js';
import { draftVersion, PARTIAL_UPLOAD, uploadComplete } from './ietf-draft.js';
import type { PatchOutcome } from './tus-requests.js';
import type { TusUploads } from './tus-uploads.js';

export const OFFSET_STREAM = /^application\/offset\+octet-stream\s*(;|$)/i;

export function patchHandler(tus: TusUploads) {
  return async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    if (!isAppendBody(request)) throw new errors.TUS_NOT_OFFSET_STREAM();
    const offset = parseByteCount('Upload-Offset', request.headers['upload-offset']);
    if (offset === undefined) throw new errors.TUS_INVALID_HEADER('Upload-Offset', 'required');
    const input = {
      offset,
      checksum: parseChecksum(request.headers['upload-checksum']),
      length: parseByteCount('Upload-Length', request.headers['upload-length']),
      last: draftVersion(request) !== null && uploadComplete(request),
    };
    const outcome = await tus.patch(request.params.id, request.raw, input, () =>
      continueBody(request, reply),
    );
    answerAppend(tus, outcome);
    reply.code(204).header('Upload-Offset', String(outcome.record.upload.size));
    if (!outcome.completed) reply.header('Upload-Expires', new Date(outcome.record.expiresAt).toUTCString());
    return reply.send();
  };
}

/** tus: application/offset+octet-stream; the IETF draft: application/partial-upload (interop 6) or any (5). */
export function isAppendBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const draft = draftVersion(request);
  return OFFSET_STREAM.test(type) || draft === '5' || (draft === '6' && PARTIAL_UPLOAD.test(type));
}

/** RFC 9110 §10.1.1: a client waiting on `Expect: 100-continue` sends its body once every check passed. */
export function continueBody(request: FastifyRequest, reply: FastifyReply): void {
  if (/\b100-continue\b/i.test(request.headers.expect ?? '')) reply.raw.writeContinue();
}

/** Turns a body that did not end well into its error; a complete, verified body passes. */
export function answerAppend(tus: TusUploads, { result, record }: PatchOutcome): void {
  if (!result.checksumOk) throw new errors.TUS_CHECKSUM_MISMATCH();
  switch (result.end) {
    case 'complete':
      return;
    case 'too-long':
      throw new errors.TUS_LENGTH_EXCEEDED(record.upload.expected ?? 'MAX_FILE_SIZE');
    case 'idle':
      throw new errors.UPLOAD_IDLE_TIMEOUT(tus.idleTimeoutMs);
    case 'stopped':
      throw tus.closing ? new errors.SHUTTING_DOWN() : new errors.TUS_UPLOAD_LOCKED(record.upload.id);
    default:
      throw new errors.UPLOAD_ABORTED(); // nobody is listening any more
  }
}
