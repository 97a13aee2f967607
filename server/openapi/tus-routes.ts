// The tus 1.0 endpoint (server/tus/, docs/resumable-uploads.md) in the route table: routes.ts spreads
// these in. tus answers carry their state in headers, not bodies; errors have the API's JSON shape.
import type { RouteDescription } from './routes.js';

const tusResumable = {
  'Tus-Resumable': {
    description: '1.0.0 (required on every tus request but OPTIONS; else 412 with Tus-Version)',
    schema: { type: 'string', const: '1.0.0' },
  },
};
const offsetStream = { 'application/offset+octet-stream': { contentMediaType: 'application/octet-stream' } };
const state = {
  'Upload-Offset': 'bytes stored (durable)',
  'Upload-Expires': 'when an unfinished upload expires (RFC 9110 date)',
};
const storing = ['STORAGE_FULL', 'SERVER_BUSY', 'UPLOAD_IDLE_TIMEOUT', 'TUS_UPLOAD_LOCKED'] as const;

const options: RouteDescription = {
  tag: 'uploads',
  summary: 'tus discovery: version, extensions, limits',
  responses: {
    204: {
      description: 'what this server speaks',
      headers: {
        'Tus-Version': '1.0.0',
        'Tus-Extension': 'creation, creation-with-upload, creation-defer-length, termination, expiration, …',
        'Tus-Max-Size': 'MAX_FILE_SIZE',
        'Tus-Checksum-Algorithm': 'sha1,sha256,md5',
      },
    },
  },
  errors: [],
};

const head: RouteDescription = {
  tag: 'uploads',
  summary: 'tus: where to resume (stops a PATCH still holding the upload first)',
  headers: tusResumable,
  responses: {
    200: {
      description: 'the upload',
      headers: {
        ...state,
        'Upload-Length': 'the total, unless deferred',
        'Upload-Defer-Length': '1 while the length is not known',
        'Upload-Metadata': 'as sent at creation, byte-exact',
        'Upload-Concat': 'partial, or final;<urls>',
      },
    },
  },
  errors: ['TUS_VERSION_UNSUPPORTED', 'UPLOAD_NOT_FOUND', 'TUS_UPLOAD_GONE', 'TUS_UPLOAD_LOCKED'],
};

const patch: RouteDescription = {
  tag: 'uploads',
  summary: 'tus: append bytes at Upload-Offset',
  headers: {
    ...tusResumable,
    'Upload-Offset': {
      description: 'where this body starts',
      schema: { type: 'integer', minimum: 0 },
      required: true,
    },
    'Upload-Checksum': {
      description: '<sha1|sha256|md5> <base64 digest> of this body',
      schema: { type: 'string' },
    },
    'Upload-Length': {
      description: 'the total, once, for a deferred-length upload',
      schema: { type: 'integer' },
    },
  },
  body: { description: 'the bytes', content: offsetStream },
  responses: { 204: { description: 'stored and durable', headers: state } },
  errors: [
    'TUS_VERSION_UNSUPPORTED',
    'TUS_INVALID_HEADER',
    'TUS_NOT_OFFSET_STREAM',
    'TUS_OFFSET_MISMATCH',
    'TUS_LENGTH_EXCEEDED',
    'TUS_CHECKSUM_UNKNOWN',
    'TUS_CHECKSUM_MISMATCH',
    'TUS_UPLOAD_COMPLETE',
    'UPLOAD_FILE_TOO_LARGE',
    'UPLOAD_NOT_FOUND',
    'TUS_UPLOAD_GONE',
    'SHUTTING_DOWN',
    ...storing,
  ],
  unanswered: ['UPLOAD_ABORTED'],
};

const terminate: RouteDescription = {
  tag: 'uploads',
  summary: 'tus termination: remove an unfinished upload (watchers get upload.aborted)',
  headers: tusResumable,
  responses: { 204: { description: 'terminated; the URL now answers 410' } },
  errors: ['TUS_VERSION_UNSUPPORTED', 'UPLOAD_NOT_FOUND', 'TUS_UPLOAD_GONE', 'TUS_UPLOAD_LOCKED'],
};

export const tusRoutes = {
  'OPTIONS /api/tus': options,
  'OPTIONS /api/tus/:id': options,

  'POST /api/tus': {
    tag: 'uploads',
    summary: 'tus creation (with upload, deferred length, concatenation)',
    headers: {
      ...tusResumable,
      'Upload-Length': { description: 'the total in bytes', schema: { type: 'integer', minimum: 0 } },
      'Upload-Defer-Length': {
        description: '1: the length comes later',
        schema: { type: 'string', const: '1' },
      },
      'Upload-Metadata': {
        description: 'key base64,…; filename and filetype are read',
        schema: { type: 'string' },
      },
      'Upload-Concat': { description: 'partial, or final;<url> <url>…', schema: { type: 'string' } },
    },
    body: { description: 'optional: the first bytes (creation-with-upload)', content: offsetStream },
    responses: {
      201: {
        description: 'created',
        headers: { Location: "the upload's URL", ...state },
      },
    },
    errors: [
      'TUS_VERSION_UNSUPPORTED',
      'TUS_INVALID_HEADER',
      'TUS_LENGTH_REQUIRED',
      'TUS_NOT_OFFSET_STREAM',
      'TUS_CONCAT_INVALID',
      'TUS_LENGTH_EXCEEDED',
      'UPLOAD_FILE_TOO_LARGE',
      'UPLOAD_TYPE_NOT_ALLOWED',
      'UPLOAD_INVALID_FIELD',
      'UPLOAD_TOKEN_SCOPE',
      'UPLOAD_TOKEN_USED_UP',
      'UPLOAD_TOKEN_COUNT_UNAVAILABLE',
      'UPLOAD_REJECTED',
      'UPLOAD_HOOK_FAILED',
      ...storing,
    ],
    unanswered: ['UPLOAD_ABORTED'],
  },

  'HEAD /api/tus/:id': head,
  'PATCH /api/tus/:id': patch,
  'DELETE /api/tus/:id': terminate,

  'POST /api/tus/:id': {
    ...patch,
    summary: 'tus with X-HTTP-Method-Override: PATCH, DELETE or HEAD (for proxies that pass only GET/POST)',
    headers: {
      ...patch.headers,
      'X-HTTP-Method-Override': {
        description: 'PATCH, DELETE or HEAD',
        schema: { type: 'string', enum: ['PATCH', 'DELETE', 'HEAD'] },
        required: true,
      },
    },
    responses: { ...patch.responses, ...head.responses },
  },
} satisfies Record<string, RouteDescription>;
