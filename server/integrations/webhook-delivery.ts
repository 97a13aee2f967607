// One webhook delivery as the rest of the room sees it: how a receiver is named in logs and metrics,
// how an event's Idempotency-Key is derived, when the next attempt is due, and what the admin read
// of the queue shows of it.
import { createHash } from 'node:crypto';
import type { EncodedEvent } from '../events/event-types.js';
import type { Delivery } from './delivery-queue.js';
import type { ReceiverStats } from './webhook-stats.js';

/** A receiver as logs and metrics show it: no credentials, no query string (either may hold a secret). */
export function receiverName(url: string): string {
  const { origin, pathname } = new URL(url);
  return origin + pathname;
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so retries spread out. */
export function retryDelay(attempts: number, minMs: number, maxMs: number): number {
  const delay = Math.min(maxMs, minMs * 2 ** Math.min(attempts - 1, 40));
  return delay / 2 + Math.random() * (delay / 2);
}

/** Events an upload has at most once (a resumable upload may pause many times). */
const ONCE_PER_UPLOAD: ReadonlySet<string> = new Set([
  'upload.started',
  'upload.completed',
  'upload.failed',
  'upload.aborted',
  'upload.expired',
  'upload.deleted',
]);

/**
 * The Idempotency-Key, derived from the event so every node of a cluster names it alike: an event an
 * upload has once is keyed by its type and the upload's id (announced again, e.g. after the cluster's
 * log was lost, it keeps its key); any other by the whole event, seq included.
 */
export function eventKey(event: EncodedEvent, uploadId: string): string {
  return digest(ONCE_PER_UPLOAD.has(event.type) ? `${event.type}\n${uploadId}` : event.json);
}

/** 128 bits of SHA-256 in base64url: 22 characters, safe in a header and as a file name. */
export const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

export interface DeliveryView {
  id: string;
  idempotencyKey: string;
  event: string;
  uploadId: string;
  receiver: string;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastError: string | null;
}

export interface WebhookQueueView {
  receivers: ReceiverStats[];
  pending: DeliveryView[];
  dead: DeliveryView[];
}

export const describeDelivery = (delivery: Delivery): DeliveryView => ({
  id: delivery.id,
  idempotencyKey: delivery.eventId,
  event: delivery.type,
  uploadId: delivery.uploadId,
  receiver: receiverName(delivery.url),
  attempts: delivery.attempts,
  createdAt: new Date(delivery.createdAt).toISOString(),
  nextAttemptAt: new Date(delivery.nextAttemptAt).toISOString(),
  lastError: delivery.lastError ?? null,
});
