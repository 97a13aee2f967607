// The webhook room, assembled for buildApp: the dispatcher on the disk queue (when WEBHOOK_URLS is
// set; in cluster mode with a claim per event in Redis) and GET /api/webhooks/queue, the admin read of that queue. The route lives under /api/, so
// AUTH_TOKEN guards it like the rest of the API (server/auth.ts); it shows receivers without their
// query strings or credentials, and no event bodies.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { EventBus } from '../events/event-bus.js';
import { redisDeliveryClaims, soleNode } from './delivery-claims.js';
import { DiskDeliveryQueue } from './disk-delivery-queue.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** A claim outlives the retries of its deliveries by this much, so a late copy of the event is still refused. */
const CLAIM_MARGIN_MS = 3_600_000;
/** Deliveries of each list the admin read shows at most (the oldest pending, the newest dead). */
const VIEW_LIMIT = 200;

export async function startWebhooks(
  config: Config,
  bus: EventBus,
  log: FastifyBaseLogger,
): Promise<WebhookDispatcher | null> {
  if (config.webhookUrls.length === 0) return null;
  // Cluster mode: every node keeps its own queue (nodes may share UPLOAD_DIR), and claims each event
  // in Redis so that one node queues it.
  const node = config.nodeId || hostname();
  const dir = config.webhookQueueDir || join(config.uploadDir, '.webhooks', config.redisUrl ? node : '');
  const claims =
    config.redisUrl === null
      ? soleNode
      : await redisDeliveryClaims({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          nodeId: node,
          ttlMs: config.webhookRetryForMs + CLAIM_MARGIN_MS,
          log,
        });
  const dispatcher = new WebhookDispatcher(
    bus,
    new DiskDeliveryQueue(dir, log),
    {
      urls: config.webhookUrls,
      secret: config.webhookSecret,
      events: config.webhookEvents,
      timeoutMs: config.webhookTimeoutMs,
      concurrency: config.webhookConcurrency,
      retryMinMs: config.webhookRetryMinMs,
      retryMaxMs: config.webhookRetryMaxMs,
      retryForMs: config.webhookRetryForMs,
      queueMax: config.webhookQueueMax,
    },
    log,
    claims,
  );
  await dispatcher.start();
  return dispatcher;
}

export function registerWebhookQueueRoute(app: FastifyInstance, dispatcher: WebhookDispatcher | null): void {
  app.get('/api/webhooks/queue', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return dispatcher ? dispatcher.view(VIEW_LIMIT) : { receivers: [], pending: [], dead: [] };
  });
}
