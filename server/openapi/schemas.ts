// The JSON Schemas (2020-12, as OpenAPI 3.1 uses) of what the API sends and receives: the
// document's `components.schemas`. Routes refer to them by name with `ref('Upload')`.
import { EVENT_TYPES } from '../events/event-types.js';

export type Schema = Record<string, unknown>;

export const ref = (name: keyof typeof schemas): Schema => ({ $ref: `#/components/schemas/${name}` });

const uploadId: Schema = {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{22}$',
  description: '16 random bytes in base64url; also the tus upload id',
};

const Upload: Schema = {
  type: 'object',
  required: ['id', 'name', 'type', 'size', 'expected', 'status', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: uploadId,
    ref: {
      type: 'string',
      pattern: '^[A-Za-z0-9._-]{1,64}$',
      description: "the request's X-Upload-Ref, echoed in the answer and every event",
    },
    name: { type: 'string', description: "the client's file name, sanitised, for display only" },
    type: {
      type: 'string',
      description: 'the declared media type (a label: never served as active content)',
    },
    size: { type: 'integer', minimum: 0, description: 'bytes stored so far' },
    expected: { type: ['integer', 'null'], minimum: 0, description: 'the announced total, when known' },
    status: { enum: ['uploading', 'paused', 'completed', 'failed', 'aborted'] },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    thumbnail: { type: 'string', pattern: '^data:image/(png|jpeg|webp);base64,', maxLength: 16384 },
    createdAt: { type: 'string', format: 'date-time' },
    completedAt: { type: 'string', format: 'date-time' },
    url: { type: 'string', description: 'the content URL, once completed' },
    kind: { enum: ['multipart', 'resumable'], description: 'absent means multipart' },
    expiresAt: {
      type: 'string',
      format: 'date-time',
      description: 'an unfinished resumable upload is removed at this time',
    },
    path: { type: 'string', description: "the file's path inside a dropped folder, sanitised like name" },
  },
};

const ErrorShape: Schema = {
  type: 'object',
  description: "Fastify's error shape; `code` is one of docs/errors.md",
  required: ['statusCode', 'code', 'error', 'message'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string' },
    error: { type: 'string', description: "the status's reason phrase" },
    message: { type: 'string' },
  },
};

/** One message of a live feed (docs/events.md); `type` comes from the one event table. */
const LiveEvent: Schema = {
  type: 'object',
  required: ['type', 'seq'],
  properties: {
    type: { enum: Object.keys(EVENT_TYPES) },
    seq: { type: 'integer', minimum: 0 },
    upload: {
      description: 'upload events: the Upload (only `{id}` for upload.deleted)',
      anyOf: [
        { $ref: '#/components/schemas/Upload' },
        { type: 'object', required: ['id'], additionalProperties: false, properties: { id: uploadId } },
      ],
    },
    error: {
      type: 'object',
      description: 'upload.failed: why',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    count: { type: 'integer', minimum: 0, description: 'watchers: how many are connected' },
    uploads: { type: 'array', items: { $ref: '#/components/schemas/Upload' }, description: 'snapshot' },
    watchers: { type: 'integer', minimum: 0, description: 'snapshot: how many are connected' },
  },
};

export const schemas = {
  Upload,
  Error: ErrorShape,
  LiveEvent,
  UploadBatch: {
    type: 'object',
    required: ['uploads'],
    additionalProperties: false,
    properties: { uploads: { type: 'array', items: { $ref: '#/components/schemas/Upload' } } },
  },
  UploadPage: {
    type: 'object',
    required: ['uploads', 'next'],
    additionalProperties: false,
    properties: {
      uploads: { type: 'array', items: { $ref: '#/components/schemas/Upload' }, description: 'newest first' },
      next: { type: ['string', 'null'], description: 'pass as `before` for the next (older) page' },
    },
  },
  EventBatch: {
    type: 'object',
    required: ['events', 'seq'],
    additionalProperties: false,
    properties: {
      events: { type: 'array', items: { $ref: '#/components/schemas/LiveEvent' } },
      seq: { type: 'integer', minimum: 0, description: 'the `since` of the next poll' },
    },
  },
  ClientConfig: {
    type: 'object',
    required: ['maxFileSize', 'maxFiles', 'allowedTypes', 'auth'],
    additionalProperties: false,
    properties: {
      maxFileSize: { type: 'integer', description: 'MAX_FILE_SIZE in bytes' },
      maxFiles: { type: 'integer', description: 'MAX_FILES per request' },
      allowedTypes: { type: 'array', items: { type: 'string' }, description: 'ALLOWED_TYPES; empty: any' },
      auth: { type: 'boolean', description: 'whether AUTH_TOKEN is set' },
      resumableThreshold: {
        type: 'integer',
        description: 'RESUMABLE_THRESHOLD: larger files go through tus',
      },
      tusChunkSize: {
        type: 'integer',
        description: 'TUS_CHUNK_SIZE: the largest tus PATCH a client should send',
      },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'ok' } },
  },
  OpenApiDocument: { type: 'object', required: ['openapi', 'info', 'paths'] },
} satisfies Record<string, Schema>;

/** Path parameters, by the name they have in a route's path (`/api/uploads/:id`). */
export const pathParameters: Record<string, { description: string; schema: Schema }> = {
  id: { description: 'the upload id', schema: uploadId },
};
