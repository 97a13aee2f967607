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
  AUTH_REQUIRED: createError('AUTH_REQUIRED', 'A valid bearer token is required', 401),
  ORIGIN_NOT_ALLOWED: createError('ORIGIN_NOT_ALLOWED', 'Origin %s is not allowed', 403),
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
