// The webhook delivery queue behind a small interface: the disk queue (disk-delivery-queue.ts) is
// the zero-set-up default; a shared one (Redis: a sorted set by due time, leases for `take`) can
// replace it so that one node of many delivers each event.
export interface Delivery {
  /** Unique per event and receiver. */
  readonly id: string;
  /** The Idempotency-Key header: one per event, the same for every receiver, attempt and restart. */
  readonly eventId: string;
  /** The event type, e.g. upload.completed. */
  readonly type: string;
  readonly uploadId: string;
  readonly url: string;
  /** The JSON POSTed, byte for byte the same on every attempt (it is what the signature covers). */
  readonly body: string;
  /** When the event was queued (epoch ms): retries stop WEBHOOK_RETRY_FOR_MS after it. */
  readonly createdAt: number;
  /** Attempts made and failed so far. */
  attempts: number;
  /** When the next attempt is due (epoch ms). */
  nextAttemptAt: number;
  /** Why the last attempt failed ("HTTP 500", "ECONNREFUSED", "timeout"). */
  lastError?: string;
}

export interface QueueCounts {
  pending: number;
  dead: number;
}

export interface DeliveryQueue {
  /** Loads what an earlier run left (a crash included). */
  open(): Promise<void>;
  /**
   * Resolves once the deliveries are durable: after that, a crash (kill -9) does not lose them. Ids
   * are derived from the event and the URL, so a shared queue keeps one of each, whichever node adds it.
   */
  add(deliveries: readonly Delivery[]): Promise<void>;
  /** Up to `limit` deliveries due at `now`, marked taken so no other call (or node) gets them. */
  take(now: number, limit: number): Promise<Delivery[]>;
  /** When the earliest delivery not taken is due, or undefined when none waits. */
  nextDueAt(): Promise<number | undefined>;
  /** The receiver answered 2xx: forget it. */
  done(delivery: Delivery): Promise<void>;
  /** The attempt failed: store its new `attempts`, `nextAttemptAt` and `lastError`, and release it. */
  retry(delivery: Delivery): Promise<void>;
  /** Given up: move it to the dead list (kept for the admin read, bounded). */
  bury(delivery: Delivery): Promise<void>;
  /** Everything waiting and dead, oldest first. */
  list(): Promise<{ pending: Delivery[]; dead: Delivery[] }>;
  /** Per receiver URL, read often (metrics): a shared queue answers from a cache. */
  counts(): Map<string, QueueCounts>;
  /** How many deliveries wait in all. */
  readonly size: number;
  close(): Promise<void>;
}
