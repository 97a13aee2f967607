// What callers ask of the tus room (tus-uploads.ts) and what it answers, and what a creation's
// Upload-Metadata says about the file: `filetype`, `filename` and `relativePath`, sanitised exactly
// as a multipart part's type, name and path are (tus 1.0 §Upload-Metadata; issue 10 §2).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { errors } from '../errors.js';
import type { ResumableRecord } from '../storage/storage.js';
import { formatBytes } from '../uploads/byte-size.js';
import { sanitizeFileName, sanitizeRelativePath } from '../uploads/file-name.js';
import { normalizeMediaType } from '../uploads/media-type.js';
import type { Upload } from '../uploads/upload.js';
import { MAX_RAW_PATH_LENGTH } from '../uploads/upload-fields.js';
import type { AppendResult } from './body-append.js';
import type { Checksum, Metadata } from './headers.js';
import type { RequestEnd } from './watcher-view.js';

export interface NewUpload {
  length: number | null;
  metadata: Metadata;
  concat: { kind: 'partial' } | { kind: 'final'; parts: string[] } | null;
  ref: string | undefined;
  /** The creation request's headers, for the pre-upload hook to forward the configured ones. */
  headers: IncomingHttpHeaders;
  /** The scoped upload token that creates it (server/tokens/tus-grant.ts). */
  owner?: string;
}

/** What HEAD reports. */
export interface UploadState {
  record: ResumableRecord | null;
  /** The completed upload when the record is gone because the upload finished. */
  completed: Upload | null;
  offset: number;
}

export interface PatchInput {
  offset: number;
  checksum: Checksum | null;
  /** Upload-Length sent with a PATCH of a deferred-length upload (creation-defer-length). */
  length: number | undefined;
  /** IETF draft `Upload-Complete: ?1`: this body ends the upload, whose length is then known. */
  last: boolean;
}

export interface PatchOutcome {
  result: AppendResult;
  record: ResumableRecord;
  completed: Upload | null;
}

/** The file a creation describes; `path` is the `relativePath` key Uppy also sends (display only). */
export function describedFile(metadata: Metadata): { type: string; name: string; path: string | undefined } {
  const rawPath = metadata.values.get('relativePath');
  return {
    type: normalizeMediaType(metadata.values.get('filetype')),
    name: sanitizeFileName(metadata.values.get('filename')),
    path: rawPath && rawPath.length <= MAX_RAW_PATH_LENGTH ? sanitizeRelativePath(rawPath) : undefined,
  };
}

/** creation-defer-length: the length, once, when a PATCH states it. */
export function declareLength(
  record: ResumableRecord,
  length: number,
  offset: number,
  maxFileSize: number,
): void {
  const upload = record.upload;
  if (upload.expected !== null) {
    if (length !== upload.expected) throw new errors.TUS_INVALID_HEADER('Upload-Length', 'cannot change');
    return;
  }
  if (length < offset) throw new errors.TUS_INVALID_HEADER('Upload-Length', 'smaller than the offset');
  if (length > maxFileSize) throw new errors.UPLOAD_FILE_TOO_LARGE(formatBytes(maxFileSize));
  upload.expected = length;
}

/**
 * Reads a body that must be empty (the upload has no room left): true at its end, false at its first
 * byte or when the client goes away (the rest is left unread, the answer says why).
 */
export function isEmptyBody(request: IncomingMessage): Promise<boolean> {
  if (request.headers['content-length'] === '0' || request.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (empty: boolean) => {
      request.off('data', onData).off('end', onEnd).off('close', onClose).pause();
      resolve(empty);
    };
    const onData = (chunk: Buffer) => chunk.length > 0 && done(false);
    const onEnd = () => done(true);
    const onClose = () => done(false);
    request.on('data', onData).on('end', onEnd).on('close', onClose);
  });
}

/** A body that ended before the upload's last byte, as watchers see it. */
export function requestEnd(end: AppendResult['end']): RequestEnd {
  if (end === 'cut-off' || end === 'idle') return 'cut-off';
  if (end === 'stopped') return 'taken-over';
  return 'more-to-come';
}
