// Cluster mode, switched on by REDIS_URL: the shared event bus (and what snapshots read) that
// buildApp hands to the live-events layer instead of the in-process bus, and the upload index every
// node shares through it.

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { MemoryUploadIndex } from '../uploads/upload-index.js';
import { ClusterUploadIndex } from './cluster-upload-index.js';
import { connectRedis } from './redis-connection.js';
import { RedisEventBus } from './redis-event-bus.js';
import { RedisGoneUploads } from './redis-gone-uploads.js';
import { RedisTokenFileCounts } from './redis-token-counts.js';
import { RedisUploadLocks } from './redis-upload-locks.js';

/** Events the stream keeps; `since` further back than a node's replay ring gets a snapshot anyway. */
const STREAM_MAX_LENGTH = 10_000;
/** Events a node holds while Redis is unreachable (progress coalesced per upload). */
const OUTBOX_CAPACITY = 10_000;
/** How long start-up waits for Redis before giving up with one line. */
const CONNECT_TIMEOUT_MS = 10_000;

export function nodeIdOf(config: Config): string {
  return config.nodeId || `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export interface Cluster {
  bus: RedisEventBus;
  index: ClusterUploadIndex;
  /** The per-upload lock of resumable uploads, across nodes. */
  locks: RedisUploadLocks;
  /** Terminated and expired resumable uploads, so every node answers 410. */
  gone: RedisGoneUploads;
  /** How many files each scoped upload token has created, across nodes. */
  tokenCounts: RedisTokenFileCounts;
  close(): Promise<void>;
}

/** Joins the cluster; `records` is the index rebuilt from the (shared) storage's records. */
export async function openCluster(
  config: Config & { redisUrl: string },
  records: MemoryUploadIndex,
  options: { replayCapacity: number; recentLimit: number; log: FastifyBaseLogger },
): Promise<Cluster> {
  const nodeId = nodeIdOf(config);
  // host:port only: the URL may carry a password.
  const { host } = new URL(config.redisUrl);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`REDIS_URL: no answer from Redis at ${host} within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
  });
  const opening = RedisEventBus.open({
    url: config.redisUrl,
    nodeId,
    keyPrefix: config.redisKeyPrefix,
    replayCapacity: options.replayCapacity,
    heartbeatMs: config.nodeHeartbeatMs,
    nodeTimeoutMs: config.nodeTimeoutMs,
    streamMaxLength: STREAM_MAX_LENGTH,
    outboxCapacity: OUTBOX_CAPACITY,
    recentLimit: options.recentLimit,
    localRecent: () => records.list({ limit: options.recentLimit }).uploads,
    log: { info: (m) => options.log.info(m), warn: (m) => options.log.warn(m) },
  });
  try {
    const bus = await Promise.race([opening, timeout]);
    options.log.info({ nodeId, redis: host, epoch: bus.epoch, seq: bus.seq }, 'cluster mode: joined');
    const locks = await RedisUploadLocks.open(config.redisUrl, nodeId, config.redisKeyPrefix, () => {});
    const tusState = await connectRedis({
      url: config.redisUrl,
      name: `livedrop:${nodeId}:tus`,
      onError: () => {},
    });
    const tokenCounts = await RedisTokenFileCounts.open(
      config.redisUrl,
      nodeId,
      config.redisKeyPrefix,
      () => {},
    );
    return {
      bus,
      index: new ClusterUploadIndex(records, bus),
      locks,
      gone: new RedisGoneUploads(tusState, config.redisKeyPrefix),
      tokenCounts,
      async close() {
        tokenCounts.close();
        locks.close();
        tusState.destroy();
        await bus.close();
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
