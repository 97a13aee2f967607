// Every route of the API, one entry each, keyed as Fastify knows it ("GET /api/uploads/:id"): the
// one place to describe a route. document.ts turns this table into OpenAPI 3.1 (path parameters,
// security, the errors of the app-wide hooks, HEAD twins of GETs), and test/unit/openapi-coverage
// fails while a route, a status or an error code of the server is missing here.
import type { ErrorCode } from '../errors.js';
import { ref, type Schema } from './schemas.js';
import { tusRoutes } from './tus-routes.js';

export interface Parameter {
  description: string;
  schema: Schema;
  required?: boolean;
}

export interface ResponseDescription {
  description: string;
  /** Media type → schema of the body (`{}`: any bytes). No content: no body. */
  content?: Record<string, Schema>;
  /** Response header → what it says. */
  headers?: Record<string, string>;
}

export interface RouteDescription {
  summary: string;
  description?: string;
  tag: 'uploads' | 'events' | 'service';
  query?: Record<string, Parameter>;
  /** Request headers the route reads. */
  headers?: Record<string, Parameter>;
  body?: { description: string; content: Record<string, Schema> };
  /** Successful (and other non-error) answers; error answers come from `errors`. */
  responses: Record<number, ResponseDescription>;
  /** Codes of server/errors.ts this route answers with, besides the app-wide hooks' (see document.ts). */
  errors: ErrorCode[];
  /** Codes the route raises but never answers, because nobody is listening any more. */
  unanswered?: ErrorCode[];
  /** A token of its own instead of AUTH_TOKEN (the default for /api routes that auth.ts protects). */
  security?: 'metricsToken';
}

const json = (schema: Schema) => ({ 'application/json': schema });
const string = { type: 'string' };

const byteRange = 'bytes START-END/SIZE of the part sent';

export const routes = {
  'GET /api/health': {
    tag: 'service',
    summary: 'Liveness',
    responses: { 200: { description: 'the server is up', content: json(ref('Health')) } },
    errors: [],
  },

  'GET /api/config': {
    tag: 'service',
    summary: 'What a client checks before sending',
    responses: {
      200: { description: 'the limits and whether a token is needed', content: json(ref('ClientConfig')) },
    },
    errors: [],
  },

  'GET /api/openapi.json': {
    tag: 'service',
    summary: 'This document',
    responses: {
      200: { description: 'the OpenAPI 3.1 description of the API', content: json(ref('OpenApiDocument')) },
    },
    errors: [],
  },

  'GET /api/webhooks/queue': {
    tag: 'service',
    summary: 'The webhook queue: deliveries waiting, and those given up (docs/operations.md)',
    responses: {
      200: {
        description: 'receivers, pending and dead deliveries, oldest first',
        content: json({
          type: 'object',
          required: ['receivers', 'pending', 'dead'],
          properties: { receivers: { type: 'array' }, pending: { type: 'array' }, dead: { type: 'array' } },
        }),
      },
    },
    errors: [],
  },

  'GET /metrics': {
    tag: 'service',
    summary: 'Prometheus metrics in the text exposition format (METRICS_TOKEN when set, never AUTH_TOKEN)',
    security: 'metricsToken',
    responses: {
      200: { description: 'the metrics', content: { 'text/plain': string } },
    },
    errors: ['AUTH_REQUIRED'],
  },

  'POST /api/uploads': {
    tag: 'uploads',
    summary: 'Upload one or more files (multipart/form-data, all-or-nothing)',
    description:
      'Fields before a file part apply to that file: `size` (its exact byte count, so watchers see a percentage) ' +
      'and `thumbnail` (a data:image/png|jpeg|webp;base64 URL, at most 16 KiB), and `path` (its relative path in ' +
      'a dropped folder, at most 4096 characters; sanitised, display and search only). Any part with a filename is a ' +
      'file. `Expect: 100-continue` is answered only once the request would be accepted. A browser navigation ' +
      '(a plain HTML form: `Sec-Fetch-Mode: navigate`, or `Accept: text/html` without Fetch Metadata) is answered ' +
      'with a 303 to its `redirect` field, or an HTML page, never JSON; `redirect` and `error_redirect` must come ' +
      'before the first file (docs/embedding.md). With AUTH_TOKEN set, a scoped upload token may be sent instead, ' +
      'also as `?token=` (a form cannot set headers).',
    headers: {
      'X-Upload-Ref': {
        description:
          'echoed as `ref` in the answer and in every event of these files (1–64 of A-Z a-z 0-9 . _ -)',
        schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
      },
    },
    body: {
      description:
        'one or more file parts, each optionally preceded by `size`, `thumbnail` and `path` fields',
      content: {
        'multipart/form-data': {
          type: 'object',
          properties: {
            size: { type: 'integer', minimum: 0 },
            thumbnail: string,
            path: { type: 'string', maxLength: 4096 },
            file: { contentMediaType: 'application/octet-stream' },
          },
        },
      },
    },
    responses: {
      201: {
        description: 'every file stored (a form navigation without `redirect`: an HTML page listing them)',
        content: { ...json(ref('UploadBatch')), 'text/html': string },
      },
      303: {
        description:
          'a form navigation with `redirect`: there, with `upload_id` and `upload_name` per file; on an error, to ' +
          '`error_redirect` (else `redirect`) with `upload_error` and `upload_error_message`',
        headers: { Location: 'the redirect URL with the ids (or the error code) in its query' },
      },
    },
    errors: [
      'UPLOAD_REDIRECT_REFUSED',
      'UPLOAD_TOKEN_USED_UP',
      'UPLOAD_TOKEN_COUNT_UNAVAILABLE',
      'UPLOAD_NOT_MULTIPART',
      'UPLOAD_NO_FILE',
      'UPLOAD_MALFORMED',
      'UPLOAD_INVALID_FIELD',
      'UPLOAD_FILE_TOO_LARGE',
      'UPLOAD_TOO_MANY_FILES',
      'UPLOAD_TYPE_NOT_ALLOWED',
      'UPLOAD_SIZE_MISMATCH',
      'UPLOAD_IDLE_TIMEOUT',
      'STORAGE_FULL',
      'STORAGE_UNAVAILABLE',
      'STORAGE_BAD_GATEWAY',
      'SERVER_BUSY',
      'UPLOAD_REJECTED',
      'UPLOAD_HOOK_FAILED',
    ],
    // NODE_LOST: a node that died mid-upload is not there to answer; survivors say so in upload.failed.
    unanswered: ['UPLOAD_ABORTED', 'NODE_LOST'],
  },

  'POST /api/upload-tokens': {
    tag: 'uploads',
    summary: 'A scoped upload token for one origin (admin token only; docs/embedding.md)',
    body: {
      description: 'the origin and the limits; every field but origin has a default',
      content: json({
        type: 'object',
        required: ['origin'],
        properties: {
          origin: { type: 'string', description: 'scheme://host[:port], allowed by CORS_ORIGINS' },
          maxFileSize: {
            type: ['integer', 'string'],
            description: 'bytes or a size like 20MiB (≤ MAX_FILE_SIZE)',
          },
          maxFiles: { type: 'integer', minimum: 1, maximum: 10_000 },
          types: { type: ['array', 'string'], items: string, description: 'MIME types or type/* patterns' },
          expiresIn: { type: 'integer', minimum: 1, description: 'seconds, at most UPLOAD_TOKEN_MAX_TTL' },
        },
      }),
    },
    responses: {
      201: {
        description: 'the token and the limits it carries',
        content: json({
          type: 'object',
          required: ['token', 'origin', 'maxFileSize', 'maxFiles', 'types', 'expiresAt'],
          additionalProperties: false,
          properties: {
            token: { type: 'string', pattern: '^ldt1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' },
            origin: string,
            maxFileSize: { type: 'integer' },
            maxFiles: { type: 'integer' },
            types: { type: 'array', items: string },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        }),
      },
    },
    errors: ['UPLOAD_INVALID_FIELD', 'UPLOAD_TOKENS_DISABLED'],
  },

  'GET /embed/livedrop-upload.js': {
    tag: 'service',
    summary: 'The <livedrop-upload> element, one ES module, for any origin (Access-Control-Allow-Origin: *)',
    responses: {
      200: { description: 'the module', content: { 'text/javascript': string } },
      404: { description: 'not built (npm run build)', content: { 'text/plain': string } },
    },
    errors: [],
  },

  'GET /api/uploads': {
    tag: 'uploads',
    summary: 'Completed uploads, newest first, a page at a time; searched and filtered with q, type, status',
    query: {
      limit: { description: 'page size (default 50)', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      before: { description: 'the `next` of the previous page', schema: string },
      q: {
        description:
          'a substring of the name (or of the folder path), case-insensitive and Unicode-normalised (NFKC + case folding); empty is no filter',
        schema: { type: 'string', maxLength: 1024 },
      },
      type: {
        description: 'a major type ending in a slash (`image/`) or an exact media type (`image/png`)',
        schema: { type: 'string', pattern: '^[A-Za-z0-9!#$&^_.+-]{1,127}/([A-Za-z0-9!#$&^_.+-]{1,127})?$' },
      },
      status: {
        description: 'the upload status',
        schema: { enum: ['uploading', 'paused', 'completed', 'failed', 'aborted'] },
      },
    },
    responses: { 200: { description: 'one page', content: json(ref('UploadPage')) } },
    errors: ['UPLOAD_INVALID_FIELD'],
  },

  'GET /api/uploads/:id': {
    tag: 'uploads',
    summary: 'One completed upload',
    responses: { 200: { description: 'the upload', content: json(ref('Upload')) } },
    errors: ['UPLOAD_NOT_FOUND'],
  },

  'GET /api/uploads/:id/content': {
    tag: 'uploads',
    summary: "The upload's bytes (never as active content); one byte range per request",
    headers: {
      Range: {
        description: 'bytes=START-END, bytes=START- or bytes=-SUFFIX (RFC 9110 §14.2)',
        schema: string,
      },
    },
    responses: {
      200: {
        description: 'the whole file',
        content: { '*/*': {} },
        headers: {
          'Content-Disposition': 'attachment, or inline for raster images; filename*=UTF-8 name',
          'Accept-Ranges': 'bytes',
          ETag: 'the sha256 in quotes',
          'Content-Security-Policy': "default-src 'none'; sandbox",
        },
      },
      206: {
        description: 'the requested range',
        content: { '*/*': {} },
        headers: { 'Content-Range': byteRange },
      },
      302: {
        description:
          'with STORAGE=s3 and S3_PRESIGNED_DOWNLOADS=true: a presigned bucket URL (5 min) serving the bytes',
        headers: { Location: 'the presigned URL' },
      },
      416: { description: 'the range is outside the file', headers: { 'Content-Range': 'bytes */SIZE' } },
    },
    errors: ['UPLOAD_NOT_FOUND', 'STORAGE_UNAVAILABLE', 'STORAGE_BAD_GATEWAY'],
  },

  'DELETE /api/uploads/:id': {
    tag: 'uploads',
    summary: 'Remove an upload (watchers get upload.deleted)',
    responses: { 204: { description: 'removed' } },
    errors: ['UPLOAD_NOT_FOUND', 'STORAGE_UNAVAILABLE', 'STORAGE_BAD_GATEWAY'],
  },

  'GET /api/events': {
    tag: 'events',
    summary: 'The live feed: WebSocket (with Upgrade) or Server-Sent Events',
    description:
      'Each message is a LiveEvent: first a snapshot, then events as they happen. With `since`, events after ' +
      'that seq are replayed instead (or a snapshot when they are no longer held).',
    query: {
      since: { description: 'the last seq seen', schema: { type: 'integer', minimum: 0 } },
    },
    headers: {
      'Last-Event-ID': {
        description: 'SSE reconnects: the last seq seen (wins over `since`)',
        schema: string,
      },
    },
    responses: {
      101: { description: 'WebSocket (RFC 6455): each text message is one LiveEvent as JSON' },
      200: {
        description: 'text/event-stream: `id: SEQ` and `data: LiveEvent` per event',
        content: { 'text/event-stream': string },
      },
      400: {
        description: 'a malformed WebSocket handshake (RFC 6455 §4.2.1)',
        content: { 'text/plain': string },
      },
      426: {
        description: 'a WebSocket version other than 13 (RFC 6455 §4.4)',
        content: { 'text/plain': string },
        headers: { 'Sec-WebSocket-Version': '13' },
      },
    },
    errors: ['ORIGIN_NOT_ALLOWED', 'EVENTS_INVALID_QUERY'],
  },

  'GET /api/events/poll': {
    tag: 'events',
    summary: 'Long-poll: answers as soon as anything happened after `since`, or after `timeout` seconds',
    query: {
      since: {
        description: 'the `seq` of the previous answer; without it: a snapshot',
        schema: { type: 'integer' },
      },
      timeout: {
        description: 'seconds to wait (default 25, at most 60)',
        schema: { type: 'number', minimum: 0 },
      },
    },
    responses: { 200: { description: 'the events, possibly none', content: json(ref('EventBatch')) } },
    errors: ['ORIGIN_NOT_ALLOWED', 'EVENTS_INVALID_QUERY'],
  },
  ...tusRoutes,
} satisfies Record<string, RouteDescription>;

/** Routes Fastify has that are not the API, and so not in the document. */
export const routesOutsideTheApi: Record<string, string> = {
  'OPTIONS *': 'CORS preflights, answered by @fastify/cors when CORS_ORIGINS is set',
  'GET /*': 'the web UI, served by @fastify/static from dist/web',
  'HEAD /*': 'the web UI, served by @fastify/static from dist/web',
};
