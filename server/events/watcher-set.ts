// The watchers of one push feed (WebSocket or SSE). Each bus event is framed once for the feed, and
// that one Buffer is queued to every watcher: the cost of an event is one JSON.stringify and one
// frame, whatever the number of watchers.
import type { EventBus } from './event-bus.js';
import type { EventHistory } from './event-history.js';
import type { EncodedEvent } from './event-types.js';
import type { Presence } from './presence.js';
import { type SlowWatcherPolicy, WatcherQueue, type WatcherSink } from './watcher-queue.js';

export class WatcherSet {
  readonly #queues = new Set<WatcherQueue>();
  readonly #unsubscribe: () => void;

  constructor(
    bus: EventBus,
    private readonly history: EventHistory,
    private readonly presence: Presence,
    private readonly policy: SlowWatcherPolicy,
    /** Frames one event for this feed's wire format. */
    private readonly frame: (event: EncodedEvent) => Buffer,
  ) {
    this.#unsubscribe = bus.subscribe((event) => this.#deliver(event));
  }

  get size(): number {
    return this.#queues.size;
  }

  /**
   * Starts a watcher: its catch-up (missed events or a snapshot) first, then every published event,
   * beginning with its own `watchers` announcement. All in one tick, so no event falls in between.
   */
  join(sink: WatcherSink, since: number | undefined): WatcherQueue {
    const queue: WatcherQueue = new WatcherQueue(
      {
        get bufferedAmount() {
          return sink.bufferedAmount;
        },
        write: (payload) => sink.write(payload),
        // Leave at once, so the others see the count drop without waiting for the socket to close.
        dropTooSlow: (reason) => {
          this.leave(queue);
          sink.dropTooSlow(reason);
        },
      },
      this.policy,
    );
    for (const event of this.history.catchUp(since, this.presence.count + 1))
      queue.push(event, this.frame(event));
    this.#queues.add(queue);
    this.presence.join();
    return queue;
  }

  leave(queue: WatcherQueue): void {
    queue.close();
    if (this.#queues.delete(queue)) this.presence.leave();
  }

  /** Stops delivering (server shutdown); the feed closes the connections. */
  close(): void {
    this.#unsubscribe();
    for (const queue of this.#queues) queue.close();
    this.#queues.clear();
  }

  #deliver(event: EncodedEvent): void {
    if (this.#queues.size === 0) return;
    const payload = this.frame(event);
    for (const queue of this.#queues) queue.push(event, payload);
  }
}
