// The one place that knows which backends exist: STORAGE picks one (docs/storage.md).
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { LocalStorage } from './local/local-storage.js';
import { S3Storage } from './s3/s3-storage.js';
import type { Storage } from './storage.js';

export interface CreateStorageOptions {
  /**
   * Other live nodes use the same storage (multi-node mode, issue 12): start-up sweeps then spare
   * what may still be another node's work in progress (docs/storage.md "Several nodes").
   */
  shared?: boolean;
}

export function createStorage(
  config: Config,
  log: FastifyBaseLogger,
  options: CreateStorageOptions = {},
): Storage {
  const shared = options.shared ?? false;
  // Well past the longest a live upload may go without a write before its own node cuts it off.
  const staleAfterMs = 2 * config.uploadIdleTimeoutMs + 5 * 60_000;
  if (config.storage === 's3') return new S3Storage({ config, log, shared, staleAfterMs });
  return new LocalStorage({ dir: config.uploadDir, log, shared, staleAfterMs });
}
