// The /api/uploads routes. Ingest, storage and content serving live in their own files; this one maps
// HTTP onto them and decides how a failed upload request is answered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { PreUploadHook } from '../integrations/pre-upload-hook.js';
import type { Storage } from '../storage/storage.js';
import { registerContentRoute } from './content-route.js';
import { answerFailed, answerStored, errorPage, isNavigation } from './form-answer.js';
import { FormRedirects } from './form-redirect.js';
import { ingestUploads } from './ingest.js';
import type { UploadStatus } from './upload.js';
import { parseRefHeader } from './upload-fields.js';
import { findUpload, isListCursor, type UploadIndex } from './upload-index.js';
import type { UploadObserver } from './upload-observer.js';
import { isTypeFilter } from './upload-search.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
/** `q` longer than this is refused: names are at most 255 bytes, paths 1024. */
const MAX_QUERY_LENGTH = 1024;
const STATUSES: readonly UploadStatus[] = ['uploading', 'paused', 'completed', 'failed', 'aborted'];

interface ListQueryString {
  limit?: string;
  before?: string;
  q?: string;
  type?: string;
  status?: string;
}
/** After an early error answer, how long we keep swallowing the rest of the body before closing. */
const LINGER_MS = 2000;

export interface UploadRoutesOptions {
  config: Config;
  storage: Storage;
  index: UploadIndex;
  observer: UploadObserver;
  /** HOOK_PRE_UPLOAD_URL, or null when unset. */
  preUploadHook: PreUploadHook | null;
}

export async function uploadRoutes(
  app: FastifyInstance,
  { config, storage, index, observer, preUploadHook }: UploadRoutesOptions,
) {
  // The body is streamed by ingest, not parsed by Fastify: hand the route the untouched request.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));

  // Closing waits for every ingest to settle, so a shutdown that cuts uploads off still removes their
  // staged blobs and tells the observer before the process exits.
  const inFlight = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled(inFlight);
  });

  // A browser navigation (a plain HTML form) is never answered with JSON, even when refused before
  // the handler runs (origin, auth, content type): form-answer.ts draws the page.
  app.setErrorHandler(async (error, request, reply) => {
    const isFormPost = request.method === 'POST' && request.routeOptions.url === '/api/uploads';
    if (!isFormPost || !isNavigation(request.headers)) throw error;
    if ((error as { statusCode?: number }).statusCode === undefined) request.log.error(error);
    return errorPage(reply, error as Error);
  });

  app.post('/api/uploads', {
    // Checked before any body byte is read.
    preParsing: async (request) => {
      if (!/^multipart\/form-data\s*(;|$)/i.test(request.headers['content-type'] ?? '')) {
        throw new errors.UPLOAD_NOT_MULTIPART();
      }
      parseRefHeader(request.headers['x-upload-ref']);
    },
    handler: async (request, reply) => {
      const ref = parseRefHeader(request.headers['x-upload-ref']);
      // Every check that needs no body has passed: ask for it (see checkContinue in app.ts).
      if (/\b100-continue\b/i.test(request.headers.expect ?? '')) reply.raw.writeContinue();
      const redirects = isNavigation(request.headers)
        ? new FormRedirects({
            origin: request.headers.origin,
            host: request.headers.host,
            corsOrigins: config.corsOrigins,
          })
        : null;
      const ingest = ingestUploads(request.raw, {
        config,
        storage,
        index,
        observer,
        log: request.log,
        ref,
        preUploadHook,
        grant: request.uploadGrant,
        ...(redirects && { onField: redirects.field }),
      });
      inFlight.add(ingest);
      try {
        const uploads = await ingest;
        if (redirects) return answerStored(reply, uploads, redirects);
        return reply.code(201).send({ uploads });
      } catch (error) {
        return answerFailure(request, reply, error as Error & { code?: string }, redirects);
      } finally {
        inFlight.delete(ingest);
      }
    },
  });

  app.get<{ Querystring: ListQueryString }>('/api/uploads', async (request) => {
    const { limit = String(DEFAULT_PAGE), before, q, type, status } = request.query;
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE) {
      throw new errors.UPLOAD_INVALID_FIELD('limit', `expected a whole number 1–${MAX_PAGE}`);
    }
    if (before !== undefined && !isListCursor(before)) {
      throw new errors.UPLOAD_INVALID_FIELD('before', 'expected the `next` value of a previous page');
    }
    for (const [name, value] of Object.entries({ q, type, status })) {
      if (value !== undefined && typeof value !== 'string') {
        throw new errors.UPLOAD_INVALID_FIELD(name, 'expected one value');
      }
    }
    if (q !== undefined && q.length > MAX_QUERY_LENGTH) {
      throw new errors.UPLOAD_INVALID_FIELD('q', `longer than ${MAX_QUERY_LENGTH} characters`);
    }
    if (type && !isTypeFilter(type)) {
      throw new errors.UPLOAD_INVALID_FIELD(
        'type',
        'expected a media type (image/png) or a major type (image/)',
      );
    }
    if (status && !STATUSES.includes(status as UploadStatus)) {
      throw new errors.UPLOAD_INVALID_FIELD('status', `expected one of ${STATUSES.join(', ')}`);
    }
    // Empty filters are no filters (a cleared search box sends q=).
    return index.list({
      limit: Number(limit),
      before,
      q: q || undefined,
      type: type || undefined,
      status: (status || undefined) as UploadStatus | undefined,
    });
  });

  app.get<{ Params: { id: string } }>('/api/uploads/:id', async (request) => {
    const upload = await findUpload(index, request.params.id);
    if (!upload) throw new errors.UPLOAD_NOT_FOUND(request.params.id);
    return upload;
  });

  registerContentRoute(app, storage.blobs, index);

  app.delete<{ Params: { id: string } }>('/api/uploads/:id', async (request, reply) => {
    const { id } = request.params;
    if (!(await findUpload(index, id)) || !index.delete(id)) throw new errors.UPLOAD_NOT_FOUND(id);
    await storage.remove(id);
    observer.deleted(id);
    return reply.code(204).send();
  });
}

function answerFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  error: Error & { code?: string },
  redirects: FormRedirects | null,
) {
  const raw = request.raw;
  if (error.code === 'UPLOAD_ABORTED') {
    // Nobody is listening for an answer: log it as the client's doing, not as a server error.
    request.log.info({ code: error.code }, 'upload aborted by the client');
    reply.hijack();
    raw.socket?.destroy();
    return reply;
  }
  if (!raw.complete) {
    // We stopped reading mid-body. The answer closes the connection (app.ts onError), but until
    // then keep draining what the client is still sending: closing a socket with unread data makes
    // TCP reset it, and the client could lose our answer before reading it.
    raw.resume();
    const timer = setTimeout(() => raw.socket?.destroy(), LINGER_MS);
    raw.once('close', () => clearTimeout(timer));
    reply.header('connection', 'close');
  }
  if (redirects) return answerFailed(reply, error, redirects);
  throw error;
}
