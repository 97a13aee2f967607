// What a scoped token lets one request do, and the count of files each token has created. The
// signature carries size, types, origin and expiry to every node; the count needs shared memory: kept
// in this process (MemoryTokenFileCounts) in local mode, in Redis (server/cluster/redis-token-counts.ts)
// with REDIS_URL, so N nodes still allow maxFiles in all (docs/embedding.md).
import type { FastifyBaseLogger } from 'fastify';
import { errors } from '../errors.js';
import type { ScopedClaims } from './scoped-token.js';

/** How many files each token has created, across every node that shares this store. */
export interface TokenFileCounts {
  /** Reserves one file of the token's allowance (atomically); false when it is used up. */
  take(claims: ScopedClaims): Promise<boolean>;
  /** Gives `count` reserved files back (never below zero). */
  give(claims: ScopedClaims, count: number): Promise<void>;
}

/** The limits ingest applies on top of the server's own, for a request made with a scoped token. */
export interface UploadGrant {
  claims: ScopedClaims;
  /**
   * Reserves one file of the token's allowance; false when it is used up. Rejects with
   * UPLOAD_TOKEN_COUNT_UNAVAILABLE when the count cannot be reached: the request is refused (503)
   * rather than let through uncounted, which is what the limit is there to prevent.
   */
  takeFile(): Promise<boolean>;
  /** Gives reserved files back (their request failed: nothing was created). */
  returnFiles(count: number): void;
}

export class UploadGrants {
  constructor(
    private readonly counts: TokenFileCounts,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  grant(claims: ScopedClaims): UploadGrant {
    const { counts, log } = this;
    return {
      claims,
      async takeFile() {
        try {
          return await counts.take(claims);
        } catch (error) {
          throw new errors.UPLOAD_TOKEN_COUNT_UNAVAILABLE((error as Error).message);
        }
      },
      returnFiles(count) {
        if (count <= 0) return;
        // Not given back (the count is unreachable): the token allows fewer files, never more.
        counts.give(claims, count).catch((error: Error) => {
          log.warn({ err: error, jti: claims.jti, count }, 'upload token: files not given back');
        });
      },
    };
  }
}

/** Forget expired tokens at most this often (they are refused before they reach a grant anyway). */
const PRUNE_EVERY_MS = 60_000;

/** Local mode: the counts of this process. */
export class MemoryTokenFileCounts implements TokenFileCounts {
  readonly #used = new Map<string, { count: number; exp: number }>();
  #prunedAt = 0;

  async take(claims: ScopedClaims, now = Date.now()): Promise<boolean> {
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) this.prune(now);
    const entry = this.#used.get(claims.jti) ?? { count: 0, exp: claims.exp };
    if (entry.count >= claims.maxFiles) return false;
    entry.count += 1;
    this.#used.set(claims.jti, entry);
    return true;
  }

  async give(claims: ScopedClaims, count: number): Promise<void> {
    const entry = this.#used.get(claims.jti);
    if (entry) entry.count = Math.max(0, entry.count - count);
  }

  prune(now = Date.now()): void {
    this.#prunedAt = now;
    for (const [jti, entry] of this.#used) if (entry.exp * 1000 <= now) this.#used.delete(jti);
  }
}
