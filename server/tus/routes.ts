// The tus 1.0.0 endpoint on the app: /api/tus (OPTIONS, POST) and /api/tus/:id (HEAD, PATCH, DELETE,
// and POST with X-HTTP-Method-Override), one handler per method. Everything here is scoped to these
// routes: the Tus-Resumable check, the headers every answer carries, and the raw bodies.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import { assertTusOwner } from '../tokens/tus-grant.js';
import { isUploadId } from '../uploads/upload-id.js';
import { deleteHandler } from './delete-handler.js';
import { headHandler } from './head-handler.js';
import { TUS_VERSION } from './headers.js';
import { draftVersion } from './ietf-draft.js';
import { optionsHandler } from './options-handler.js';
import { patchHandler } from './patch-handler.js';
import { postHandler } from './post-handler.js';
import type { TusUploads } from './tus-uploads.js';
import { TUS_PATH } from './upload-url.js';

/** After an early error answer, how long the rest of the body is swallowed before the socket closes. */
const LINGER_MS = 2000;

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

export interface TusRoutesOptions {
  config: Config;
  tus: TusUploads;
}

export async function tusRoutes(app: FastifyInstance, { config, tus }: TusRoutesOptions): Promise<void> {
  // Bodies are streamed by the PATCH and POST handlers themselves, whatever their Content-Type says.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Tus-Resumable', TUS_VERSION).header('Cache-Control', 'no-store');
    // §Tus-Resumable: every request but OPTIONS names the version; any other is refused unprocessed.
    if (request.method === 'OPTIONS') return;
    const version = request.headers['tus-resumable'];
    const draft = draftVersion(request);
    if (draft) reply.header('Upload-Draft-Interop-Version', draft);
    if (version !== TUS_VERSION && !draft) {
      reply.header('Tus-Version', TUS_VERSION);
      throw new errors.TUS_VERSION_UNSUPPORTED(String(version ?? '(none)'));
    }
  });
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const { id } = (request.params ?? {}) as { id?: string };
    if (id !== undefined && !isUploadId(id)) throw new errors.UPLOAD_NOT_FOUND(id);
    // A scoped upload token: only the uploads it created, and only HEAD and PATCH.
    if (id !== undefined && request.uploadGrant) {
      assertTusOwner(request, request.uploadGrant, (await tus.state(id)).record?.owner);
    }
  });
  // An error answered before the body was read: keep draining it for a moment, so the client is not
  // reset (and loses our answer) while it is still sending.
  app.addHook('onError', async (request) => {
    const raw = request.raw;
    if (raw.complete || raw.destroyed) return;
    raw.resume();
    const timer = setTimeout(() => raw.socket?.destroy(), LINGER_MS);
    raw.once('close', () => clearTimeout(timer));
  });

  const head = headHandler(tus, config.maxFileSize);
  const patch = patchHandler(tus);
  const terminate = deleteHandler(tus);
  app.options(TUS_PATH, optionsHandler(config));
  app.options(`${TUS_PATH}/:id`, optionsHandler(config));
  app.post(TUS_PATH, postHandler(tus, config));
  app.head(`${TUS_PATH}/:id`, head);
  app.patch(`${TUS_PATH}/:id`, patch);
  app.delete(`${TUS_PATH}/:id`, terminate);
  // §X-HTTP-Method-Override: clients behind proxies that only pass GET and POST.
  app.post(`${TUS_PATH}/:id`, async (request: IdRequest, reply: FastifyReply) => {
    const method = String(request.headers['x-http-method-override'] ?? '').toUpperCase();
    if (method === 'PATCH') return patch(request, reply);
    if (method === 'DELETE') return terminate(request, reply);
    if (method === 'HEAD') return head(request, reply);
    throw new errors.TUS_INVALID_HEADER('X-HTTP-Method-Override', 'expected PATCH, DELETE or HEAD');
  });
}
