// buildApp(config): the Fastify instance with every plugin registered. No I/O happens at import time;
// building the app opens the storage (create, sweep a crash's leftovers) and rebuilds the upload index
// from its records, and the caller
// decides when to listen (server/main.ts) or inject (tests).
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { registerAuth } from './auth.js';
import { openCluster } from './cluster/cluster-mode.js';
import type { Config } from './config.js';
import { registerCors } from './cors.js';
import { registerEmbedRoute } from './embed-route.js';
import { errors } from './errors.js';
import {
  createLiveEvents,
  type LiveEvents,
  type LiveEventsOptions,
  liveEventsDefaults,
} from './events/live-events.js';
import { createPreUploadHook } from './integrations/pre-upload-hook.js';
import { registerWebhookQueueRoute, startWebhooks } from './integrations/webhooks.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { Metrics } from './metrics.js';
import { registerOpenApiRoute } from './openapi/route.js';
import { createStorage } from './storage/create-storage.js';
import type { Storage } from './storage/storage.js';
import { deriveTokenKey } from './tokens/scoped-token.js';
import { uploadTokenRoutes } from './tokens/token-routes.js';
import { MemoryTokenFileCounts } from './tokens/upload-grants.js';
import { RememberedGoneUploads } from './tus/gone-uploads.js';
import { tusRoutes } from './tus/routes.js';
import { TusUploads } from './tus/tus-uploads.js';
import { InProcessUploadLocks } from './tus/upload-lock.js';
import { guardObserver } from './uploads/guarded-observer.js';
import { uploadRoutes } from './uploads/routes.js';
import { MemoryUploadIndex, type UploadIndex } from './uploads/upload-index.js';
import type { UploadObserver } from './uploads/upload-observer.js';

/** Where `npm run build` puts the web UI: dist/web, seen from server/ (tsx, tests) or dist/server/ (npm start). */
const here = dirname(fileURLToPath(import.meta.url));
const distRoot = basename(dirname(here)) === 'dist' ? join(here, '..') : join(here, '../dist');
const webRoot = join(distRoot, 'web');

/** Completed uploads a new dashboard's snapshot shows (each may carry a 16 KiB thumbnail). */
export const RECENT_UPLOADS_IN_SNAPSHOT = 20;

export interface AppOptions {
  /** Told about every upload as it happens instead of the live-events layer (tests of the pipeline). */
  observer?: UploadObserver;
  /** Tuning of the live feeds beyond the settings table (tests use small slow-watcher bounds). */
  events?: Pick<LiveEventsOptions, 'slowWatcher' | 'replayCapacity' | 'sseKeepAliveMs' | 'closeTimeoutMs'>;
  /** Where the built `<livedrop-upload>` module is (default dist/embed; tests build their own). */
  embedRoot?: string;
  /** Told about every route as it is added (the OpenAPI coverage test reads Fastify's route table). */
  onRoute?: (route: RouteOptions) => void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where bytes and records live (local disk or S3; nothing here knows which). */
    storage: Storage;
    /** Completed uploads: the routes and the events snapshot (`list({limit})`) read them here. */
    uploadIndex: UploadIndex;
    /** The live-events layer: bus, progress tracker, presence and the three feeds. */
    liveEvents: LiveEvents;
    /** The Prometheus registry behind GET /metrics. */
    metrics: Metrics;
  }
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    // A multi-GiB upload can take longer than any fixed limit: Node's default requestTimeout (300 s)
    // would cut it off. Uploads are bounded by UPLOAD_IDLE_TIMEOUT instead (no bytes for that long).
    requestTimeout: 0,
    // We answer SHUTTING_DOWN ourselves, in the API's error shape.
    return503OnClosing: false,
    // Node enforces headersTimeout only when it sweeps its connections, every 30 s by default: sweep
    // often enough that HEADERS_TIMEOUT holds to within a second.
    http: { connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs / 2) },
    schemaController: { compilersFactory: lazySchemaCompilers },
    // Behind a load balancer (docs/cluster.md): the client's address and scheme from X-Forwarded-*,
    // only when told to; otherwise anyone could claim any address.
    trustProxy: config.trustProxy,
  });
  if (options.onRoute) app.addHook('onRoute', options.onRoute);
  // HEADERS_TIMEOUT: a client that trickles its headers (slowloris), or a WebSocket handshake that
  // never completes, gets 408 and loses its connection. The body is bounded by UPLOAD_IDLE_TIMEOUT.
  app.server.headersTimeout = config.headersTimeoutMs;
  // RFC 9110 §10.1.1: a client that sends `Expect: 100-continue` (curl does, for bodies over 1 MiB)
  // holds its body back until told to go on. Node would say so at once; we let the request through
  // Fastify first, and only the upload route says "continue", after the auth, origin and type checks,
  // so a refused upload is refused before any of its body is sent.
  app.server.on('checkContinue', (req, res) => app.server.emit('request', req, res));

  // Several nodes share one storage in cluster mode: start-up sweeps spare the others' work.
  const storage = createStorage(config, app.log, { shared: config.redisUrl !== null });
  await storage.open();
  app.addHook('onClose', () => storage.close());
  const records = new MemoryUploadIndex(await storage.records.loadCompleted());
  app.log.info({ storage: config.storage, uploads: records.size }, 'upload index rebuilt');
  // REDIS_URL: one event log and one upload index for every node (server/cluster/); otherwise
  // the in-process bus and this index.
  const cluster =
    config.redisUrl === null
      ? undefined
      : await openCluster({ ...config, redisUrl: config.redisUrl }, records, {
          replayCapacity: options.events?.replayCapacity ?? liveEventsDefaults.replayCapacity,
          recentLimit: RECENT_UPLOADS_IN_SNAPSHOT,
          log: app.log,
        });
  const index: UploadIndex = cluster?.index ?? records;
  app.decorate('storage', storage);
  app.decorate('uploadIndex', index);

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request) => {
    if (closing && request.method === 'POST') throw new errors.SHUTTING_DOWN();
  });

  // An error answered before the body was read (401, 403, 415, 413…): close the connection after the
  // answer instead of waiting for a body nobody will read (the client may never finish sending it).
  app.addHook('onError', async (request, reply, error) => {
    if (!request.raw.complete) reply.header('Connection', 'close');
    // A storage backend that is down or refusing (STORAGE_UNAVAILABLE, STORAGE_BAD_GATEWAY) says when to retry.
    const retryAfterS = (error as { retryAfterS?: number }).retryAfterS;
    if (retryAfterS) reply.header('Retry-After', String(retryAfterS));
  });

  // First, so its onResponse hook times every route registered after it.
  const metrics = new Metrics();
  app.decorate('metrics', metrics);
  metrics.register(app, config.metricsToken);

  await registerCors(app, config.corsOrigins);
  const tokenKey = deriveTokenKey(config.uploadTokenSecret, config.authToken);
  registerAuth(app, config.authToken, tokenKey, cluster?.tokenCounts ?? new MemoryTokenFileCounts());

  app.get('/api/health', async () => ({ status: 'ok' }));

  app.get('/api/config', async () => ({
    maxFileSize: config.maxFileSize,
    maxFiles: config.maxFiles,
    allowedTypes: config.allowedTypes,
    auth: config.authToken !== null,
    resumableThreshold: config.resumableThreshold,
    tusChunkSize: config.tusChunkSize,
  }));

  registerOpenApiRoute(app);

  // HTTP request → uploads/ → events/ bus → feeds (DESIGN.md §1): the tracker is the pipeline's
  // observer; the WebSocket feed shares this server's port and closes before it (preClose).
  const recentUploads = () => index.list({ limit: RECENT_UPLOADS_IN_SNAPSHOT }).uploads;
  const liveEvents = createLiveEvents({
    progressIntervalMs: config.progressIntervalMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    authToken: config.authToken,
    corsOrigins: config.corsOrigins,
    feedObserver: (feed) => metrics.feedObserver(feed),
    recentUploads,
    ...(cluster && { bus: cluster.bus, snapshotSources: cluster.bus.uploads }),
    ...options.events,
  });
  app.decorate('liveEvents', liveEvents);
  metrics.observeBus(liveEvents.bus);
  metrics.observeWatchers(liveEvents.watcherCount);

  // Webhooks hear the bus like the feeds do. Closed after the upload routes' onClose (a plugin's
  // onClose runs before the root's): uploads cut off by a shutdown still publish, and it is queued.
  const webhooks = await startWebhooks(config, liveEvents.bus, app.log);
  if (webhooks) {
    metrics.observeWebhooks(webhooks);
    app.addHook('onClose', () => webhooks.close());
  }
  registerWebhookQueueRoute(app, webhooks);
  await app.register(liveEvents.plugin);

  const observer = guardObserver(metrics.observeUploads(options.observer ?? liveEvents.tracker), app.log);
  const preUploadHook = createPreUploadHook(config, app.log);
  if (preUploadHook) metrics.observePreUploadHook(preUploadHook);
  await app.register(uploadRoutes, { config, storage, index, observer, preUploadHook });
  await app.register(uploadTokenRoutes, { config, key: tokenKey });
  registerEmbedRoute(app, options.embedRoot ?? join(distRoot, 'embed'));

  // tus 1.0 at /api/tus (server/tus/): resumable uploads on the same storage, index and observer.
  const tus = new TusUploads({
    config,
    storage,
    index,
    observer,
    locks: cluster?.locks ?? new InProcessUploadLocks(),
    gone: cluster?.gone ?? new RememberedGoneUploads(),
    log: app.log,
    preUploadHook,
  });
  await tus.open();
  app.addHook('onClose', () => tus.close());
  // Last: what closing the uploads and webhooks still publishes goes out before the node leaves.
  if (cluster) app.addHook('onClose', () => cluster.close());
  await app.register(tusRoutes, { config, tus });

  if (existsSync(webRoot)) {
    await app.register(fastifyStatic, { root: webRoot });
  }

  return app;
}
