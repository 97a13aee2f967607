// Every error code the API returns, in one table. Responses use Fastify's error shape
// {statusCode, code, error, message}; `%s` in a message is filled from the arguments at the throw site.
// docs/errors.md documents each one (a test keeps the two in step).
import createError from '@fastify/error';

export const errors = {
  UPLOAD_NOT_MULTIPART: createError(
    'UPLOAD_NOT_MULTIPART',
    'Expected a multipart/form-data request body',
    415,
  ),
  UPLOAD_NO_FILE: createError('UPLOAD_NO_FILE', 'The request contains no file part', 400),
  UPLOAD_MALFORMED: createError('UPLOAD_MALFORMED', 'Malformed multipart body: %s', 400),
  UPLOAD_INVALID_FIELD: createError('UPLOAD_INVALID_FIELD', 'Invalid field %s: %s', 400),
  UPLOAD_FILE_TOO_LARGE: createError('UPLOAD_FILE_TOO_LARGE', 'File too large: the limit is %s', 413),
  UPLOAD_TOO_MANY_FILES: createError(
    'UPLOAD_TOO_MANY_FILES',
    'Too many files: the limit is %s per request',
    413,
  ),
  UPLOAD_TYPE_NOT_ALLOWED: createError(
    'UPLOAD_TYPE_NOT_ALLOWED',
    'File type %s is not allowed (allowed: %s)',
    415,
  ),
  UPLOAD_SIZE_MISMATCH: createError(
    'UPLOAD_SIZE_MISMATCH',
    'The file has %s bytes but the size field said %s',
    400,
  ),
  UPLOAD_ABORTED: createError('UPLOAD_ABORTED', 'The client went away before the upload finished', 400),
  UPLOAD_IDLE_TIMEOUT: createError(
    'UPLOAD_IDLE_TIMEOUT',
    'No bytes arrived for %s ms; the upload was cut off',
    408,
  ),
  UPLOAD_NOT_FOUND: createError('UPLOAD_NOT_FOUND', 'No upload with id %s', 404),
  TUS_VERSION_UNSUPPORTED: createError(
    'TUS_VERSION_UNSUPPORTED',
    'Tus-Resumable %s is not supported (this server speaks 1.0.0)',
    412,
  ),
  TUS_INVALID_HEADER: createError('TUS_INVALID_HEADER', 'Invalid %s header: %s', 400),
  TUS_LENGTH_REQUIRED: createError(
    'TUS_LENGTH_REQUIRED',
    'Creating an upload needs Upload-Length or Upload-Defer-Length: 1',
    400,
  ),
  TUS_NOT_OFFSET_STREAM: createError(
    'TUS_NOT_OFFSET_STREAM',
    'Expected Content-Type: application/offset+octet-stream',
    415,
  ),
  TUS_OFFSET_MISMATCH: createError(
    'TUS_OFFSET_MISMATCH',
    'Upload-Offset %s does not match the stored offset %s',
    409,
  ),
  TUS_LENGTH_EXCEEDED: createError('TUS_LENGTH_EXCEEDED', 'The body goes past Upload-Length %s', 413),
  TUS_UPLOAD_GONE: createError('TUS_UPLOAD_GONE', 'Upload %s was terminated or has expired', 410),
  TUS_UPLOAD_LOCKED: createError(
    'TUS_UPLOAD_LOCKED',
    'Upload %s is being written by another request; try again shortly',
    423,
  ),
  TUS_CHECKSUM_UNKNOWN: createError(
    'TUS_CHECKSUM_UNKNOWN',
    'Checksum algorithm %s is not supported (supported: %s)',
    400,
  ),
  TUS_CHECKSUM_MISMATCH: createError(
    'TUS_CHECKSUM_MISMATCH',
    'The body does not match its Upload-Checksum; it was discarded',
    460,
  ),
  TUS_UPLOAD_COMPLETE: createError(
    'TUS_UPLOAD_COMPLETE',
    'Upload %s is complete (or the final upload of a concatenation) and takes no PATCH',
    403,
  ),
  TUS_CONCAT_INVALID: createError('TUS_CONCAT_INVALID', 'Cannot concatenate: %s', 400),
  AUTH_REQUIRED: createError('AUTH_REQUIRED', 'A valid bearer token is required', 401),
  ORIGIN_NOT_ALLOWED: createError('ORIGIN_NOT_ALLOWED', 'Origin %s is not allowed', 403),
  UPLOAD_REDIRECT_REFUSED: createError('UPLOAD_REDIRECT_REFUSED', 'Field %s refused: %s', 400),
  UPLOAD_TOKENS_DISABLED: createError(
    'UPLOAD_TOKENS_DISABLED',
    'Scoped upload tokens need AUTH_TOKEN to be set (without it, uploads need no token)',
    409,
  ),
  UPLOAD_TOKEN_EXPIRED: createError('UPLOAD_TOKEN_EXPIRED', 'The upload token expired at %s', 401),
  UPLOAD_TOKEN_SCOPE: createError(
    'UPLOAD_TOKEN_SCOPE',
    'An upload token can only create uploads: it cannot %s %s',
    403,
  ),
  UPLOAD_TOKEN_ORIGIN: createError('UPLOAD_TOKEN_ORIGIN', 'The upload token is bound to %s, not %s', 403),
  UPLOAD_TOKEN_USED_UP: createError(
    'UPLOAD_TOKEN_USED_UP',
    'The upload token has created all the %s files it allows',
    413,
  ),
  UPLOAD_TOKEN_COUNT_UNAVAILABLE: createError(
    'UPLOAD_TOKEN_COUNT_UNAVAILABLE',
    "The upload token's file count cannot be checked (%s); nothing was stored, try again shortly",
    503,
  ),
  EVENTS_INVALID_QUERY: createError('EVENTS_INVALID_QUERY', 'Invalid %s: %s', 400),
  STORAGE_FULL: createError('STORAGE_FULL', 'Not enough storage space left for this upload', 507),
  STORAGE_UNAVAILABLE: createError(
    'STORAGE_UNAVAILABLE',
    'The storage backend is unavailable or timed out (%s); nothing was stored, try again shortly',
    503,
  ),
  STORAGE_BAD_GATEWAY: createError(
    'STORAGE_BAD_GATEWAY',
    'The storage backend refused the request (%s); nothing was stored',
    502,
  ),
  SHUTTING_DOWN: createError('SHUTTING_DOWN', 'The server is shutting down; try again shortly', 503),
  // The pre-upload hook's own 4xx status and `message` replace these defaults (docs/operations.md).
  UPLOAD_REJECTED: createError('UPLOAD_REJECTED', '%s', 403),
  UPLOAD_HOOK_FAILED: createError(
    'UPLOAD_HOOK_FAILED',
    'The pre-upload check could not be made (%s); try again shortly',
    503,
  ),
  SERVER_BUSY: createError('SERVER_BUSY', 'The server has too many files open; try again shortly', 503),
  NODE_LOST: createError('NODE_LOST', 'The node receiving this upload (%s) stopped; send it again', 503),
};

export type ErrorCode = keyof typeof errors;
