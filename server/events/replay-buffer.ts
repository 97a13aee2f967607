// The last N events, so a watcher that reconnects with `since` (or SSE's Last-Event-ID) gets exactly
// what it missed, and long-pollers can be answered from memory. Bounded by count and by bytes (started
// and completed events carry 16 KiB thumbnails): a watcher gone for longer than the buffer covers gets
// a fresh snapshot instead.
import type { EncodedEvent } from './event-types.js';

export class ReplayBuffer {
  readonly #slots: (EncodedEvent | undefined)[];
  /** Index of the slot the next event goes into. */
  #next = 0;
  #size = 0;
  /** Characters of JSON held: the measure `maxBytes` bounds. */
  #bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes = 8 * 1024 * 1024,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
    this.#slots = new Array(capacity);
  }

  /** Events must arrive in seq order with no gaps, as the bus publishes them. */
  push(event: EncodedEvent): void {
    if (this.#size === this.capacity) this.#dropOldest();
    this.#slots[this.#next] = event;
    this.#next = (this.#next + 1) % this.capacity;
    this.#size++;
    this.#bytes += event.json.length;
    // The newest event always stays, however large: since() must cover the latest seq.
    while (this.#bytes > this.maxBytes && this.#size > 1) this.#dropOldest();
  }

  #dropOldest(): void {
    const index = (this.#next - this.#size + this.capacity) % this.capacity;
    this.#bytes -= this.#slots[index]!.json.length;
    this.#slots[index] = undefined;
    this.#size--;
  }

  /**
   * The events after `seq`, oldest first; [] when the caller is up to date; undefined when `seq`
   * is no longer covered (too old) or was never issued by this server (ahead of it, e.g. from
   * before a restart): the caller then needs a snapshot.
   */
  since(seq: number, currentSeq: number): EncodedEvent[] | undefined {
    if (seq === currentSeq) return [];
    if (seq > currentSeq || this.#size === 0) return undefined;
    const oldest = this.#at(0)!.seq;
    if (seq < oldest - 1) return undefined;
    const events: EncodedEvent[] = [];
    for (let i = seq - oldest + 1; i < this.#size; i++) events.push(this.#at(i)!);
    return events;
  }

  /** The i-th held event, 0 = oldest. */
  #at(i: number): EncodedEvent | undefined {
    if (i < 0 || i >= this.#size) return undefined;
    return this.#slots[(this.#next - this.#size + i + this.capacity) % this.capacity];
  }
}
