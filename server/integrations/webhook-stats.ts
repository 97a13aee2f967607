// What the webhook dispatcher tells whoever watches it (the metrics, the admin read of the queue):
// running totals per receiver, read on demand, so nothing in the delivery path knows about Prometheus.

export interface ReceiverStats {
  /** The receiver's URL as shown in logs and metrics: origin and path, no credentials, no query. */
  receiver: string;
  /** Deliveries the receiver answered with a 2xx. */
  delivered: number;
  /** Attempts that failed (non-2xx, timeout, connection refused); each is retried until given up. */
  failedAttempts: number;
  /** Deliveries abandoned after WEBHOOK_RETRY_FOR: moved to the dead list. */
  givenUp: number;
  /** Deliveries waiting (for their first attempt or a retry) right now. */
  pending: number;
  /** Deliveries on the dead list right now. */
  dead: number;
}

export interface WebhookStats {
  receivers(): ReceiverStats[];
  /** Events not queued because the queue was full (WEBHOOK_QUEUE_MAX). */
  readonly dropped: number;
}
