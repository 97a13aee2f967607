// The SHA-256 of each tus upload, kept running across its PATCHes on the same buffers that are stored
// (issue 10, Build 4). Node cannot serialise a hash's state, so a restart (or another node taking the
// upload over) loses it: the digest is then recomputed from the stored bytes at completion, one
// sequential read of the file (about 1 s per GiB from a warm page cache), and logged.
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';

export class RunningHashes {
  /** Each hash with the offset it has hashed up to. */
  readonly #hashes = new Map<string, { hash: Hash; offset: number }>();

  constructor(private readonly log: FastifyBaseLogger) {}

  start(id: string): void {
    this.#hashes.set(id, { hash: createHash('sha256'), offset: 0 });
  }

  /** The hash of the upload's bytes before `offset`, or null when none reaches exactly there. */
  at(id: string, offset: number): Hash | null {
    const running = this.#hashes.get(id);
    return running?.offset === offset ? running.hash : null;
  }

  /** After an append: the hash now covers `offset` bytes (null: it could not be kept). */
  advanced(id: string, hash: Hash | null, offset: number): void {
    if (hash) this.#hashes.set(id, { hash, offset });
    else this.#hashes.delete(id);
  }

  drop(id: string): void {
    this.#hashes.delete(id);
  }

  /** The hex digest of `size` bytes: the running hash, or the stored bytes read once more. */
  async digest(id: string, size: number, read: () => Promise<Readable>): Promise<string> {
    const running = this.at(id, size);
    this.#hashes.delete(id);
    if (running) return running.digest('hex');
    const started = performance.now();
    const hash = createHash('sha256');
    for await (const chunk of await read()) hash.update(chunk as Buffer);
    const ms = Math.round(performance.now() - started);
    this.log.info({ id, size, ms }, 'sha256 recomputed from stored bytes');
    return hash.digest('hex');
  }
}
