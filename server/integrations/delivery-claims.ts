// Cluster mode (REDIS_URL): every node hears every event on the shared bus, and exactly one of them
// must queue its webhook deliveries. Each node asks Redis to claim the event's Idempotency-Key
// (SET NX, kept for as long as deliveries are retried); the one that gets it queues the deliveries
// on its own disk queue. If Redis cannot be asked, the node queues them anyway: at least once beats
// at most once, and the receiver drops the copies by their Idempotency-Key.
import type { FastifyBaseLogger } from 'fastify';
import { connectRedis } from '../cluster/redis-connection.js';

export interface DeliveryClaims {
  /** True when this node is to queue the event's deliveries. */
  claim(eventId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** One node: every event is this node's to deliver. */
export const soleNode: DeliveryClaims = {
  claim: async () => true,
  close: async () => {},
};

export interface RedisClaimsOptions {
  url: string;
  keyPrefix: string;
  nodeId: string;
  /** How long a claim is remembered: as long as a delivery can be retried. */
  ttlMs: number;
  log: FastifyBaseLogger;
}

export async function redisDeliveryClaims(options: RedisClaimsOptions): Promise<DeliveryClaims> {
  const { keyPrefix, nodeId, ttlMs, log } = options;
  const client = await connectRedis({
    url: options.url,
    name: `livedrop:${nodeId}:webhooks`,
    onError: () => {}, // reported per claim below; the client reconnects by itself
  });
  return {
    async claim(eventId) {
      try {
        const key = `${keyPrefix}webhook:${eventId}`;
        const answer = await client.sendCommand<string | null>([
          'SET',
          key,
          nodeId,
          'NX',
          'PX',
          String(ttlMs),
        ]);
        return answer === 'OK';
      } catch (error) {
        log.warn(
          { err: error, idempotencyKey: eventId },
          'webhook claim failed (Redis unreachable); queuing it here',
        );
        return true;
      }
    },
    async close() {
      client.destroy();
    },
  };
}
