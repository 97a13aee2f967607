// The /api/uploads routes. Ingest, storage and content serving live in their own files; this one maps
// HTTP onto them and decides how a failed upload request is answered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { PreUploadHook } from '../integrations/pre-upload-hook.js';
import type { Storage } from '../storage/storage.js';
import { registerContentRoute } from './content-route.js';
import { ingestUploads } from './ingest.js';
import { parseRefHeader } from './upload-fields.js';
import { isListCursor, type UploadIndex } from './upload-index.js';
import type { UploadObserver } from './upload-observer.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
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
      const ingest = ingestUploads(request.raw, {
        config,
        storage,
        index,
        observer,
        log: request.log,
        ref,
        preUploadHook,
      });
      inFlight.add(ingest);
      try {
        return reply.code(201).send({ uploads: await ingest });
      } catch (error) {
        return answerFailure(request, reply, error as Error & { code?: string });
      } finally {
        inFlight.delete(ingest);
      }
    },
  });

  app.get<{ Querystring: { limit?: string; before?: string } }>('/api/uploads', async (request) => {
    const { limit = String(DEFAULT_PAGE), before } = request.query;
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_PAGE) {
      throw new errors.UPLOAD_INVALID_FIELD('limit', `expected a whole number 1–${MAX_PAGE}`);
    }
    if (before !== undefined && !isListCursor(before)) {
      throw new errors.UPLOAD_INVALID_FIELD('before', 'expected the `next` value of a previous page');
    }
    return index.list({ limit: Number(limit), before });
  });

  app.get<{ Params: { id: string } }>('/api/uploads/:id', async (request) => {
    const upload = index.get(request.params.id);
    if (!upload) throw new errors.UPLOAD_NOT_FOUND(request.params.id);
    return upload;
  });

  registerContentRoute(app, storage.blobs, index);

  app.delete<{ Params: { id: string } }>('/api/uploads/:id', async (request, reply) => {
    const { id } = request.params;
    if (!index.delete(id)) throw new errors.UPLOAD_NOT_FOUND(id);
    await storage.remove(id);
    observer.deleted(id);
    return reply.code(204).send();
  });
}

function answerFailure(request: FastifyRequest, reply: FastifyReply, error: Error & { code?: string }) {
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
  }
  throw error;
}
