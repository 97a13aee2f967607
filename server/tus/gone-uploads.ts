// Terminated and expired uploads, remembered so a later request gets 410 Gone rather than 404
// (tus 1.0 §termination: "SHOULD respond with 410"; 404 is allowed once forgotten). The interface is
// what the tus room sees; this file holds the one-node memory, bounded. With several nodes the
// memory lives in Redis (cluster/redis-gone-uploads.ts), so every node answers 410 alike.

export interface GoneUploads {
  add(id: string): Promise<void>;
  has(id: string): Promise<boolean>;
}

/** Ids remembered (beyond that the oldest is forgotten: 404). */
const REMEMBERED = 10_000;

export class RememberedGoneUploads implements GoneUploads {
  readonly #ids = new Set<string>();

  async add(id: string): Promise<void> {
    this.#ids.add(id);
    if (this.#ids.size > REMEMBERED) this.#ids.delete(this.#ids.values().next().value!);
  }

  async has(id: string): Promise<boolean> {
    return this.#ids.has(id);
  }
}
