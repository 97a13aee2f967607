// Events a node has published but Redis has not acknowledged yet, in publish order. While Redis is
// reachable it holds a few entries for a moment; during an outage it holds what happens meanwhile,
// bounded: a newer progress event of an upload replaces the older one still waiting (in place, so
// it stays before that upload's `completed`), a newer watcher count replaces the older one, and past
// `capacity` the oldest entries are dropped (and counted: docs/cluster.md, "limits").

export interface OutboxEntry {
  /** Rises by one per entry: Redis keeps the last one applied per node, so a retry is not appended twice. */
  number: number;
  type: string;
  uploadId: string;
  /** The event's JSON after `"seq":N` (for `watchers`, the node's count). */
  rest: string;
  /** Extra script arguments: condition, its argument, the upload's completedAt (ms), recent kept. */
  extra: string[];
}

export class EventOutbox {
  readonly #entries: OutboxEntry[] = [];
  /** Entries at the front that are on their way to Redis: never replaced or dropped. */
  #inFlight = 0;
  #nextNumber = 1;
  #dropped = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#entries.length;
  }

  /** Entries dropped because the outbox was full. */
  get dropped(): number {
    return this.#dropped;
  }

  add(type: string, uploadId: string, rest: string, extra: string[] = []): void {
    if (type === 'upload.progress' || type === 'watchers') {
      for (let i = this.#entries.length - 1; i >= this.#inFlight; i--) {
        const entry = this.#entries[i]!;
        if (entry.type === type && entry.uploadId === uploadId) {
          entry.rest = rest;
          return;
        }
      }
    }
    this.#entries.push({ number: this.#nextNumber++, type, uploadId, rest, extra });
    while (this.#entries.length > this.capacity && this.#entries.length > this.#inFlight) {
      this.#entries.splice(this.#inFlight, 1);
      this.#dropped++;
    }
  }

  /** Marks up to `max` entries from the front as in flight and returns them. */
  take(max: number): OutboxEntry[] {
    this.#inFlight = Math.min(this.#entries.length, max);
    return this.#entries.slice(0, this.#inFlight);
  }

  /** After a send: the first `acknowledged` in-flight entries are done, the rest go again later. */
  settle(acknowledged: number): void {
    this.#entries.splice(0, acknowledged);
    this.#inFlight = 0;
  }
}
