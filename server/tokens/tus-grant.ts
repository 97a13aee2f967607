// What a scoped upload token may do on the tus endpoint (docs/embedding.md): create an upload within
// its limits (a known length, no concatenation), then HEAD and PATCH that upload only. The owner is
// kept in the upload's resumable record, so any node sharing the storage enforces it.
import type { FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import { formatBytes } from '../uploads/byte-size.js';
import { isTypeAllowed, normalizeMediaType } from '../uploads/media-type.js';
import type { UploadGrant } from './upload-grants.js';

export interface TusCreation {
  length: number | null;
  concat: unknown;
  /** The `filetype` of Upload-Metadata. */
  filetype: string | undefined;
}

/** Checks a creation against the grant and reserves one of its files; returns the owner to record. */
export async function admitTusCreation(grant: UploadGrant, creation: TusCreation): Promise<string> {
  const { claims } = grant;
  if (creation.concat) throw new errors.UPLOAD_TOKEN_SCOPE('POST', '/api/tus with Upload-Concat');
  if (creation.length === null) throw new errors.UPLOAD_TOKEN_SCOPE('POST', '/api/tus without Upload-Length');
  if (creation.length > claims.maxFileSize)
    throw new errors.UPLOAD_FILE_TOO_LARGE(formatBytes(claims.maxFileSize));
  const type = normalizeMediaType(creation.filetype);
  if (!isTypeAllowed(type, claims.types))
    throw new errors.UPLOAD_TYPE_NOT_ALLOWED(type, claims.types.join(', '));
  if (!(await grant.takeFile())) throw new errors.UPLOAD_TOKEN_USED_UP(claims.maxFiles);
  return claims.jti;
}

/** HEAD, PATCH (or their X-HTTP-Method-Override) on an upload this token created; never DELETE. */
export function assertTusOwner(request: FastifyRequest, grant: UploadGrant, owner: string | undefined): void {
  const override = String(request.headers['x-http-method-override'] ?? '').toUpperCase();
  const method = request.method === 'POST' ? override : request.method;
  if (method !== 'HEAD' && method !== 'PATCH')
    throw new errors.UPLOAD_TOKEN_SCOPE(method || 'POST', request.url);
  if (owner !== grant.claims.jti) throw new errors.UPLOAD_TOKEN_SCOPE(method, 'an upload it did not create');
}
