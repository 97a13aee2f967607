// Per-upload exclusion: one request at a time writes (or terminates, or completes) a tus upload, so two
// PATCHes never interleave bytes (issue 10, Build 5). Like tusd's lockers, a newcomer does not simply
// wait: it asks the holder to stop (the usual holder is a request whose client has already gone, its
// socket half-open), and the holder keeps what it has stored, lets go, and the newcomer proceeds.
//
// The interface is all the tus room sees; this file holds the in-process implementation (one node).
// A cluster implementation (Redis) goes behind the same interface: `token` is then a fencing token
// the storage side can check, strictly increasing per upload across nodes.

export interface UploadLease {
  /** Strictly increasing across the leases of one upload. */
  readonly token: number;
  /** Aborted when another request asks for this upload: stop reading, make what arrived durable, release. */
  readonly stopRequested: AbortSignal;
  /** Lets go; idempotent. */
  release(): Promise<void>;
}

export interface UploadLocks {
  /**
   * Takes the upload's lock. If another request holds it, that holder is asked to stop and given
   * `waitMs` to release; null if it did not (the caller answers 423, which tus clients retry).
   */
  acquire(id: string, waitMs: number): Promise<UploadLease | null>;
  /**
   * Takes the lock only if nobody holds it, without asking a holder to stop: how the expiry sweep and
   * the pause announcement tell that no request (on any node) is writing the upload. null when held.
   */
  tryAcquire(id: string): Promise<UploadLease | null>;
}

interface Held {
  token: number;
  controller: AbortController;
  released: Promise<void>;
  release: () => void;
}

export class InProcessUploadLocks implements UploadLocks {
  readonly #held = new Map<string, Held>();
  /** Requests waiting per upload, so a third request waits behind the second, not beside it. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #nextToken = 1;

  acquire(id: string, waitMs: number): Promise<UploadLease | null> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const attempt = previous.then(() => this.#take(id, waitMs));
    const settled = attempt.then(
      () => {},
      () => {},
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return attempt;
  }

  async tryAcquire(id: string): Promise<UploadLease | null> {
    if (this.#held.has(id) || this.#queues.has(id)) return null;
    return this.#take(id, 0);
  }

  async #take(id: string, waitMs: number): Promise<UploadLease | null> {
    const holder = this.#held.get(id);
    if (holder) {
      holder.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<true>((resolve) => {
        timer = setTimeout(() => resolve(true), waitMs);
      });
      const gaveUp = await Promise.race([holder.released.then(() => false), timedOut]);
      clearTimeout(timer);
      if (gaveUp) return null;
    }
    let release!: () => void;
    const held: Held = {
      token: this.#nextToken++,
      controller: new AbortController(),
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
      release: () => release(),
    };
    this.#held.set(id, held);
    return {
      token: held.token,
      stopRequested: held.controller.signal,
      release: async () => {
        if (this.#held.get(id) === held) this.#held.delete(id);
        held.release();
      },
    };
  }
}
