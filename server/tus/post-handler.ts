// POST /api/tus (creation, creation-with-upload, creation-defer-length, concatenation): 201 with the
// upload's Location. All creation goes through here and TusUploads.create, so a pre-upload hook or a
// metric has one place to call out from.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import { admitTusCreation } from '../tokens/tus-grant.js';
import { parseRefHeader } from '../uploads/upload-fields.js';
import { idFromUploadUrl, parseByteCount, parseConcat, parseDeferLength, parseMetadata } from './headers.js';
import { draftVersion, uploadComplete } from './ietf-draft.js';
import { answerAppend, continueBody, isAppendBody } from './patch-handler.js';
import type { TusUploads } from './tus-uploads.js';
import { uploadUrl } from './upload-url.js';

export function postHandler(tus: TusUploads, config: Config) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { headers } = request;
    const concat = parseConcat(headers['upload-concat']);
    const length = parseByteCount('Upload-Length', headers['upload-length']);
    const draft = draftVersion(request) !== null;
    // The IETF draft creates without a length unless the client knows it (Upload-Length is optional).
    const deferred = parseDeferLength(headers['upload-defer-length']) || (draft && length === undefined);
    if (concat?.kind !== 'final' && (length === undefined) === !deferred)
      throw new errors.TUS_LENGTH_REQUIRED();
    const withBody = hasBody(request);
    if (withBody && !isAppendBody(request)) throw new errors.TUS_NOT_OFFSET_STREAM();

    const metadata = parseMetadata(headers['upload-metadata']);
    const grant = request.uploadGrant;
    const owner = grant
      ? await admitTusCreation(grant, {
          length: length ?? null,
          concat,
          filetype: metadata.values.get('filetype'),
        })
      : undefined;
    const record = await tus
      .create({
        length: length ?? null,
        metadata,
        concat:
          concat?.kind === 'final' ? { kind: 'final', parts: concat.urls.map(idFromUploadUrl) } : concat,
        ref: parseRefHeader(headers['x-upload-ref']),
        headers,
        ...(owner !== undefined && { owner }),
      })
      .catch((error: unknown) => {
        grant?.returnFiles(1); // nothing was created
        throw error;
      });
    const { id } = record.upload;
    reply.code(201).header('Location', uploadUrl(request, id, config.trustProxy));
    let current = record;
    if (withBody && concat?.kind !== 'final' && record.upload.status !== 'completed') {
      const last = draft && uploadComplete(request);
      const outcome = await tus.patch(
        id,
        request.raw,
        { offset: 0, checksum: null, length: undefined, last },
        () => continueBody(request, reply),
      );
      answerAppend(tus, outcome);
      current = outcome.record;
      reply.header('Upload-Offset', String(current.upload.size));
    }
    if (current.upload.status !== 'completed') {
      reply.header('Upload-Expires', new Date(current.expiresAt).toUTCString());
    }
    return reply.send();
  };
}

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
