// The small inputs that travel with files: the `size`, `thumbnail` and `path` form fields (which apply
// to the next file part) and the X-Upload-Ref header. Each is checked against its documented form.
import { errors } from '../errors.js';
import { sanitizeRelativePath } from './file-name.js';

/** DESIGN.md §4: a thumbnail is a data:image/(png|jpeg|webp);base64 URL of at most 16 KiB. */
export const MAX_THUMBNAIL_LENGTH = 16 * 1024;
const THUMBNAIL = /^data:image\/(?:png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
/** A raw `path` field longer than this is refused rather than silently cut. */
export const MAX_RAW_PATH_LENGTH = 4096;
const REF = /^[A-Za-z0-9._-]{1,64}$/;

export function parseSizeField(value: string): number {
  const size = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(size)) {
    throw new errors.UPLOAD_INVALID_FIELD('size', 'expected the exact byte count as a whole number');
  }
  return size;
}

export function parseThumbnailField(value: string, truncated: boolean): string {
  if (truncated || value.length > MAX_THUMBNAIL_LENGTH) {
    throw new errors.UPLOAD_INVALID_FIELD('thumbnail', 'longer than 16 KiB');
  }
  if (!THUMBNAIL.test(value)) {
    throw new errors.UPLOAD_INVALID_FIELD('thumbnail', 'expected a data:image/(png|jpeg|webp);base64 URL');
  }
  return value;
}

/** The file's relative path in a dropped folder, sanitised (display only); undefined when empty. */
export function parsePathField(value: string, truncated: boolean): string | undefined {
  if (truncated || value.length > MAX_RAW_PATH_LENGTH) {
    throw new errors.UPLOAD_INVALID_FIELD('path', `longer than ${MAX_RAW_PATH_LENGTH} characters`);
  }
  return sanitizeRelativePath(value);
}

export function parseRefHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !REF.test(value)) {
    throw new errors.UPLOAD_INVALID_FIELD('X-Upload-Ref', 'expected 1–64 characters of A-Z a-z 0-9 . _ -');
  }
  return value;
}
