// Webhooks: every event of WEBHOOK_EVENTS is POSTed to every WEBHOOK_URLS receiver, at least once.
// The dispatcher subscribes to the events bus like the feeds do (nothing in uploads/ knows about it),
// turns each event into one delivery per receiver, and the queue keeps them on disk before they count
// as queued. Delivery runs off the hot path: the bus listener only appends to an array; the queue is
// written in the next microtask, at most WEBHOOK_CONCURRENCY requests are in flight, each bounded by
// WEBHOOK_TIMEOUT_MS; a failed attempt is retried with exponential backoff and jitter until
// WEBHOOK_RETRY_FOR_MS have passed since the event, then moved to the dead list (docs/operations.md).
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../events/event-bus.js';
import type { EncodedEvent } from '../events/event-types.js';
import { type DeliveryClaims, soleNode } from './delivery-claims.js';
import type { Delivery, DeliveryQueue } from './delivery-queue.js';
import { failureReason, postJson } from './post-json.js';
import {
  describeDelivery,
  digest,
  eventKey,
  receiverName,
  retryDelay,
  type WebhookQueueView,
} from './webhook-delivery.js';
import { SIGNATURE_HEADER, signDelivery, TIMESTAMP_HEADER } from './webhook-signature.js';
import type { ReceiverStats, WebhookStats } from './webhook-stats.js';

export interface WebhookOptions {
  urls: string[];
  secret: string | null;
  events: string[];
  timeoutMs: number;
  concurrency: number;
  retryMinMs: number;
  retryMaxMs: number;
  retryForMs: number;
  /** Deliveries waiting at most; beyond, new events are dropped (logged and counted). */
  queueMax: number;
}

/** setTimeout's limit (about 24.8 days): a later due time is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Totals = Pick<ReceiverStats, 'delivered' | 'failedAttempts' | 'givenUp'>;

export class WebhookDispatcher implements WebhookStats {
  readonly #events: Set<string>;
  readonly #totals = new Map<string, Totals>();
  #incoming: Delivery[] = [];
  /** Claims asked of Redis and not yet answered (cluster mode). */
  readonly #claiming = new Set<Promise<void>>();
  /** The batch the queue is writing (one at a time: group commit). */
  readonly #writes = new Set<Promise<void>>();
  readonly #inFlight = new Map<string, { controller: AbortController; settled: Promise<void> }>();
  #unsubscribe: () => void = () => {};
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;
  #pumpAgain = false;
  #closed = false;
  dropped = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly queue: DeliveryQueue,
    private readonly options: WebhookOptions,
    private readonly log: FastifyBaseLogger,
    /** Cluster mode: which node queues an event (delivery-claims.ts). */
    private readonly claims: DeliveryClaims = soleNode,
  ) {
    this.#events = new Set(options.events);
    for (const url of options.urls) this.#totals.set(url, { delivered: 0, failedAttempts: 0, givenUp: 0 });
  }

  /** Loads the queue a previous run left, then delivers it and every new event. */
  async start(): Promise<void> {
    await this.queue.open();
    const { pending } = await this.queue.list();
    for (const delivery of pending) {
      if (this.#totals.has(delivery.url)) continue;
      delivery.lastError = 'the receiver is no longer in WEBHOOK_URLS';
      await this.queue.bury(delivery);
    }
    if (this.queue.size > 0)
      this.log.info({ deliveries: this.queue.size }, 'webhook deliveries left to make');
    this.#unsubscribe = this.bus.subscribe((event) => {
      if (this.#events.has(event.type)) this.#accept(event);
    });
    this.#schedule();
  }

  receivers(): ReceiverStats[] {
    const counts = this.queue.counts();
    return [...this.#totals].map(([url, totals]) => ({
      receiver: receiverName(url),
      ...totals,
      pending: counts.get(url)?.pending ?? 0,
      dead: counts.get(url)?.dead ?? 0,
    }));
  }

  /** The admin read (GET /api/webhooks/queue): what waits and what was given up, oldest first. */
  async view(limit: number): Promise<WebhookQueueView> {
    const { pending, dead } = await this.queue.list();
    return {
      receivers: this.receivers(),
      pending: pending.slice(0, limit).map(describeDelivery),
      dead: dead.slice(-limit).map(describeDelivery),
    };
  }

  /** Stops: queues what was published before, abandons attempts in flight (they stay queued). */
  async close(): Promise<void> {
    this.#unsubscribe();
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.allSettled(this.#claiming);
    this.#flushIncoming();
    // Each write that ends starts the next batch: wait until the last one is down.
    while (this.#writes.size > 0) await Promise.allSettled(this.#writes);
    for (const { controller } of this.#inFlight.values()) controller.abort();
    await Promise.allSettled([...this.#inFlight.values()].map((attempt) => attempt.settled));
    await this.queue.close();
    await this.claims.close();
  }

  /** On the publisher's stack (an upload's I/O callback): build the deliveries, store them later. */
  #accept(event: EncodedEvent): void {
    const { upload, ...rest } = JSON.parse(event.json) as { upload: { id: string; thumbnail?: string } };
    // The thumbnail (up to 16 KiB) stays out: the receiver can GET /api/uploads/:id for it.
    const { thumbnail: _thumbnail, ...described } = upload;
    const eventId = eventKey(event, upload.id);
    const body = JSON.stringify({ id: eventId, ...rest, upload: described });
    const now = Date.now();
    const deliveries = this.options.urls.map((url) => ({
      id: digest(`${eventId}\n${url}`),
      eventId,
      type: event.type,
      uploadId: upload.id,
      url,
      body,
      createdAt: now,
      attempts: 0,
      nextAttemptAt: now,
    }));
    if (this.claims === soleNode) {
      this.#enqueue(deliveries);
      return;
    }
    const claimed = this.claims.claim(eventId).then((won) => {
      if (won) this.#enqueue(deliveries);
    });
    this.#claiming.add(claimed);
    void claimed.finally(() => this.#claiming.delete(claimed));
  }

  #enqueue(deliveries: Delivery[]): void {
    const first = this.#incoming.length === 0;
    this.#incoming.push(...deliveries);
    if (first && this.#writes.size === 0) queueMicrotask(() => this.#flushIncoming());
  }

  /**
   * Group commit: one batch at a time goes to the queue; what arrives meanwhile waits for the next,
   * so a busy server pays one directory fsync per batch, and an idle one waits for nothing.
   */
  #flushIncoming(): void {
    let batch = this.#incoming;
    if (batch.length === 0 || this.#writes.size > 0) return;
    this.#incoming = [];
    const room = Math.max(0, this.options.queueMax - this.queue.size);
    if (batch.length > room) {
      const dropped = batch.slice(room);
      this.dropped += dropped.length;
      this.log.error(
        { dropped: dropped.length, queueMax: this.options.queueMax },
        'webhook queue full (WEBHOOK_QUEUE_MAX): deliveries dropped',
      );
      batch = batch.slice(0, room);
    }
    if (batch.length === 0) return;
    const write = this.queue.add(batch).then(
      () => this.#schedule(),
      (error: Error) => {
        this.dropped += batch.length;
        this.log.error({ err: error, dropped: batch.length }, 'could not queue webhook deliveries');
      },
    );
    this.#writes.add(write);
    void write.finally(() => {
      this.#writes.delete(write);
      this.#flushIncoming();
    });
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    void this.#pump();
  }

  /** Starts every due delivery there is a slot for, then sleeps until the next one is due. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#closed && this.#inFlight.size < this.options.concurrency) {
        const due = await this.queue.take(Date.now(), this.options.concurrency - this.#inFlight.size);
        if (due.length === 0) break;
        for (const delivery of due) this.#attempt(delivery);
      }
      clearTimeout(this.#timer);
      const next = await this.queue.nextDueAt();
      if (next !== undefined && !this.#closed && this.#inFlight.size < this.options.concurrency) {
        const wait = Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now()));
        this.#timer = setTimeout(() => this.#schedule(), wait).unref();
      }
    } catch (error) {
      this.log.error({ err: error }, 'webhook queue failed');
    } finally {
      this.#pumping = false;
      if (this.#pumpAgain) {
        this.#pumpAgain = false;
        this.#schedule();
      }
    }
  }

  #attempt(delivery: Delivery): void {
    const controller = new AbortController();
    const settled = this.#send(delivery, controller.signal)
      .then((error) => (this.#closed ? undefined : this.#settle(delivery, error)))
      .catch((error: Error) => this.log.error({ err: error }, 'webhook queue failed'))
      .finally(() => {
        this.#inFlight.delete(delivery.id);
        this.#schedule();
      });
    this.#inFlight.set(delivery.id, { controller, settled });
  }

  /** One POST; resolves with why it failed, or undefined for a 2xx. */
  async #send(delivery: Delivery, abort: AbortSignal): Promise<string | undefined> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      'user-agent': 'livedrop-webhooks',
      'idempotency-key': delivery.eventId,
      'livedrop-event': delivery.type,
      'livedrop-delivery-attempt': String(delivery.attempts + 1),
      [TIMESTAMP_HEADER]: timestamp,
    };
    if (this.options.secret !== null) {
      headers[SIGNATURE_HEADER] = signDelivery(this.options.secret, timestamp, delivery.body);
    }
    const signal = AbortSignal.any([abort, AbortSignal.timeout(this.options.timeoutMs)]);
    try {
      // The answer's body is not kept: a hostile receiver cannot make us buffer it.
      const { status } = await postJson(delivery.url, delivery.body, headers, { signal });
      return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
    } catch (error) {
      return failureReason(error, signal, this.options.timeoutMs);
    }
  }

  async #settle(delivery: Delivery, error: string | undefined): Promise<void> {
    const totals = this.#totals.get(delivery.url)!;
    const log = {
      receiver: receiverName(delivery.url),
      event: delivery.type,
      idempotencyKey: delivery.eventId,
    };
    if (error === undefined) {
      totals.delivered++;
      await this.queue.done(delivery);
      this.log.debug({ ...log, attempts: delivery.attempts + 1 }, 'webhook delivered');
      return;
    }
    totals.failedAttempts++;
    delivery.attempts++;
    delivery.lastError = error;
    const now = Date.now();
    if (now - delivery.createdAt >= this.options.retryForMs) {
      totals.givenUp++;
      await this.queue.bury(delivery);
      this.log.error({ ...log, attempts: delivery.attempts, error }, 'webhook delivery given up');
      return;
    }
    const wait = retryDelay(delivery.attempts, this.options.retryMinMs, this.options.retryMaxMs);
    delivery.nextAttemptAt = now + wait;
    await this.queue.retry(delivery);
    this.log.warn(
      { ...log, attempts: delivery.attempts, error, retryInMs: Math.round(wait) },
      'webhook delivery failed; will retry',
    );
  }
}
