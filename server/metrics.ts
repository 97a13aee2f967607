// GET /metrics: the Prometheus text format (prom-client), for operators to graph and alert on.
// Everything here is collected by observing the other rooms through the seams they already have: the
// UploadObserver (wrapped), the event bus (subscribed), the feeds' FeedObserver, Fastify's onResponse
// hook and the webhook dispatcher's running totals. The upload hot path costs one Map lookup and a
// number add per chunk: byte counts reach the Prometheus counter only when /metrics is scraped.
// METRICS_TOKEN protects the route; AUTH_TOKEN never does (docs/operations.md).

import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { hasValidToken } from './auth.js';
import { errors } from './errors.js';
import type { EventBus } from './events/event-bus.js';
import type { EncodedEvent } from './events/event-types.js';
import type { FeedName, FeedObserver } from './events/feed-observer.js';
import type { PreUploadHook } from './integrations/pre-upload-hook.js';
import type { WebhookStats } from './integrations/webhook-stats.js';
import type { Upload, UploadError } from './uploads/upload.js';
import type { UploadObserver } from './uploads/upload-observer.js';

type Kind = NonNullable<Upload['kind']>;
const KINDS: Kind[] = ['multipart', 'resumable'];
const FEEDS: FeedName[] = ['websocket', 'sse'];
const kindOf = (upload: Upload): Kind => upload.kind ?? 'multipart';

interface Tracked {
  kind: Kind;
  counted: number;
  /** False while a resumable upload is paused. */
  streaming: boolean;
}

// The Node process defaults (CPU, memory, event-loop lag, GC, handles) describe the process, not an
// app: one registry for the process, however many apps a test builds in it.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class Metrics {
  readonly registry = new Registry();
  /** Bytes stored since the last scrape: a plain add per chunk, handed to the counter when scraped. */
  readonly #bytesPending: Record<Kind, number> = { multipart: 0, resumable: 0 };
  /** Uploads begun and not ended: their bytes already counted, so a progress report adds only its delta. */
  readonly #tracked = new Map<string, Tracked>();
  /** When each event was published: the start of its publish→deliver lag. */
  readonly #publishedAt = new WeakMap<EncodedEvent, number>();

  readonly #inFlight = this.#gauge('livedrop_uploads_in_flight', 'Uploads streaming now, by kind', ['kind']);
  readonly #bytes = new Counter({
    name: 'livedrop_upload_bytes_received_total',
    help: 'Upload bytes stored (acknowledged by storage), by kind',
    labelNames: ['kind'],
    registers: [this.registry],
    collect: () => this.#flushBytes(),
  });
  readonly #completed = this.#counter('livedrop_uploads_completed_total', 'Uploads stored in full', ['kind']);
  readonly #failed = this.#counter(
    'livedrop_uploads_failed_total',
    'Uploads that failed or were aborted, by error code',
    ['kind', 'code'],
  );
  readonly #deleted = this.#counter('livedrop_uploads_deleted_total', 'Uploads removed by DELETE', []);
  readonly #requests = new Histogram({
    name: 'livedrop_http_request_duration_seconds',
    help: 'HTTP request durations (headers in to response sent), by route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300],
    registers: [this.registry],
  });
  readonly #published = this.#counter('livedrop_events_published_total', 'Events published on the bus', [
    'type',
  ]);
  readonly #delivered = this.#counter(
    'livedrop_events_delivered_total',
    'Events handed to watchers (one per event per watcher), by feed',
    ['feed'],
  );
  readonly #lag = new Histogram({
    name: 'livedrop_event_delivery_lag_seconds',
    help: 'From an event being published to the feed handing it to its watchers',
    labelNames: ['feed'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly #catchUps = this.#counter(
    'livedrop_feed_reconnects_total',
    'Watchers reconnecting with `since`: replayed the missed events, or sent a snapshot',
    ['feed', 'outcome'],
  );
  readonly #slowClosed = this.#counter(
    'livedrop_slow_watchers_closed_total',
    'Watchers dropped for not keeping up',
    ['feed'],
  );

  constructor() {
    for (const kind of KINDS) {
      this.#inFlight.set({ kind }, 0);
      this.#bytes.inc({ kind }, 0);
      this.#completed.inc({ kind }, 0);
    }
    for (const feed of FEEDS) {
      this.#delivered.inc({ feed }, 0);
      this.#slowClosed.inc({ feed }, 0);
      for (const outcome of ['replay', 'snapshot']) this.#catchUps.inc({ feed, outcome }, 0);
    }
  }

  /** The upload pipeline's observer, counting as it passes every call on to `next`. */
  observeUploads(next: UploadObserver): UploadObserver {
    return {
      started: (upload) => {
        this.#stream(upload, 0);
        next.started(upload);
      },
      progress: (upload) => {
        // The hot path: a lookup and an add. A resumable upload's first bytes after a pause put it
        // back in flight (tus does not announce a resume otherwise).
        const tracked = this.#tracked.get(upload.id);
        if (tracked?.streaming) this.#addBytes(tracked, upload.size);
        else if (tracked) this.#stream(upload, tracked.counted);
        next.progress(upload);
      },
      completed: (upload) => {
        this.#end(upload);
        this.#completed.inc({ kind: kindOf(upload) });
        next.completed(upload);
      },
      failed: (upload: Upload, error: UploadError) => {
        this.#end(upload);
        this.#failed.inc({ kind: kindOf(upload), code: error.code });
        next.failed(upload, error);
      },
      aborted: (upload) => {
        this.#end(upload);
        this.#failed.inc({ kind: kindOf(upload), code: 'UPLOAD_ABORTED' });
        next.aborted(upload);
      },
      paused: (upload) => {
        // Out of flight with its bytes counted; its next progress puts it back (see progress).
        const tracked = this.#tracked.get(upload.id);
        if (tracked) this.#addBytes(tracked, upload.size);
        if (tracked?.streaming) this.#inFlight.dec({ kind: tracked.kind });
        this.#tracked.set(upload.id, { kind: kindOf(upload), counted: upload.size, streaming: false });
        next.paused(upload);
      },
      expired: (upload) => {
        this.#end(upload);
        this.#failed.inc({ kind: kindOf(upload), code: 'TUS_UPLOAD_GONE' });
        next.expired(upload);
      },
      deleted: (id) => {
        this.#deleted.inc();
        next.deleted(id);
      },
    };
  }

  /** The upload is streaming from `counted` bytes on (0 for a new one, its stored size when resumed). */
  #stream(upload: Upload, counted: number): void {
    this.#inFlight.inc({ kind: kindOf(upload) });
    const tracked = { kind: kindOf(upload), counted, streaming: true };
    this.#tracked.set(upload.id, tracked);
    this.#addBytes(tracked, upload.size);
  }

  /** Completed, failed, aborted (or expired): no longer in flight, forgotten. */
  #end(upload: Upload): void {
    const tracked = this.#tracked.get(upload.id);
    if (!tracked) return;
    this.#addBytes(tracked, upload.size);
    if (tracked.streaming) this.#inFlight.dec({ kind: tracked.kind });
    this.#tracked.delete(upload.id);
  }

  /** Counts what the bus publishes and notes when, for the feeds' lag histogram. */
  observeBus(bus: EventBus): () => void {
    return bus.subscribe((event) => {
      this.#publishedAt.set(event, performance.now());
      this.#published.inc({ type: event.type });
    });
  }

  /** The FeedObserver of one push feed (LiveEventsOptions.feedObserver). */
  feedObserver(feed: FeedName): FeedObserver {
    return {
      delivered: (events, watchers) => {
        if (watchers === 0) return;
        this.#delivered.inc({ feed }, events.length * watchers);
        const now = performance.now();
        for (const event of events) {
          const publishedAt = this.#publishedAt.get(event);
          if (publishedAt !== undefined) this.#lag.observe({ feed }, (now - publishedAt) / 1000);
        }
      },
      caughtUp: (outcome) => this.#catchUps.inc({ feed, outcome }),
      slowWatcherClosed: () => this.#slowClosed.inc({ feed }),
    };
  }

  /** Watchers connected now, read at scrape time. */
  observeWatchers(count: (feed: FeedName) => number): void {
    const gauge: Gauge = this.#gauge('livedrop_watchers', 'Watchers connected now, by feed', ['feed'], () => {
      for (const feed of FEEDS) gauge.set({ feed }, count(feed));
    });
  }

  /** The webhook dispatcher's queue and totals, read at scrape time. */
  observeWebhooks(stats: WebhookStats): void {
    const seen = new Map<string, number>();
    /** Counters only go up: add what the running total gained since the last scrape. */
    const catchUp = (counter: Counter, key: string, labels: Record<string, string>, total: number) => {
      counter.inc(labels, total - (seen.get(key) ?? 0));
      seen.set(key, total);
    };
    // Registered first, so its collect() reads the dispatcher for every webhook metric of this scrape.
    const depth: Gauge = this.#gauge(
      'livedrop_webhook_queue_depth',
      'Webhook deliveries waiting',
      ['receiver'],
      () => {
        for (const r of stats.receivers()) {
          const labels = { receiver: r.receiver };
          depth.set(labels, r.pending);
          dead.set(labels, r.dead);
          for (const [name, counter] of Object.entries(totals)) {
            catchUp(counter, `${name} ${r.receiver}`, labels, r[name as keyof typeof totals]);
          }
        }
        catchUp(dropped, 'dropped', {}, stats.dropped);
      },
    );
    const dead = this.#gauge('livedrop_webhook_dead_deliveries', 'Webhook deliveries given up on', [
      'receiver',
    ]);
    const totals = {
      delivered: this.#counter('livedrop_webhook_deliveries_total', 'Webhook deliveries answered 2xx', [
        'receiver',
      ]),
      failedAttempts: this.#counter(
        'livedrop_webhook_failures_total',
        'Webhook attempts that failed (non-2xx, timeout, unreachable); each is retried until given up',
        ['receiver'],
      ),
      givenUp: this.#counter(
        'livedrop_webhook_given_up_total',
        'Webhook deliveries abandoned after WEBHOOK_RETRY_FOR_MS',
        ['receiver'],
      ),
    };
    const dropped = this.#counter(
      'livedrop_webhook_dropped_total',
      'Events not queued: the queue was full',
      [],
    );
  }

  /** The pre-upload hook's checks by outcome, read at scrape time. */
  observePreUploadHook(hook: PreUploadHook): void {
    const seen = new Map<string, number>();
    const checks: Counter = new Counter({
      name: 'livedrop_pre_upload_checks_total',
      help: 'Pre-upload hook checks by outcome (allowed, rejected, failed-closed, failed-open)',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect: () => {
        for (const [outcome, total] of Object.entries(hook.outcomes)) {
          checks.inc({ outcome }, total - (seen.get(outcome) ?? 0));
          seen.set(outcome, total);
        }
      },
    });
  }

  /** GET /metrics, and the onResponse hook that times every request. */
  register(app: FastifyInstance, token: string | null): void {
    app.addHook('onResponse', async (request, reply) => {
      this.#requests.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });
    app.get('/metrics', async (request, reply) => {
      if (token !== null && !hasValidToken(request, token)) throw new errors.AUTH_REQUIRED();
      // Collecting first (the `collect` callbacks) keeps the webhook counters ahead of their text.
      const text = (await this.registry.metrics()) + (await processMetrics().metrics());
      return reply.type(this.registry.contentType).header('cache-control', 'no-store').send(text);
    });
  }

  #addBytes(tracked: Tracked, size: number): void {
    if (size <= tracked.counted) return;
    this.#bytesPending[tracked.kind] += size - tracked.counted;
    tracked.counted = size;
  }

  #flushBytes(): void {
    for (const kind of KINDS) {
      const bytes = this.#bytesPending[kind];
      this.#bytes.inc({ kind }, bytes);
      this.#bytesPending[kind] = 0;
    }
  }

  #counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge(name: string, help: string, labelNames: string[], collect?: () => void): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry], ...(collect && { collect }) });
  }
}
