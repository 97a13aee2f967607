// The watchers of one push feed (WebSocket or SSE). Each bus event is framed once for the feed, and
// that one Buffer is queued to every watcher: the cost of an event is one JSON.stringify and one
// frame, whatever the number of watchers. With hundreds of watchers, the number of socket writes,
// not their size, is what costs; so events are gathered for a few milliseconds (a progress tick of
// many uploads, twenty uploads starting or completing together) and each watcher gets them in one
// write. Progress events skip that wait: they already come in batches (one tracker tick announces every
// upload that moved), and on a busy server the window's timer fires only a whole event-loop turn later.
import type { EventBus } from './event-bus.js';
import type { EventHistory } from './event-history.js';
import { type EncodedEvent, encodeEvent, type FeedNotice } from './event-types.js';
import { type FeedObserver, ignoreFeed } from './feed-observer.js';
import type { Presence } from './presence.js';
import { type SlowWatcherPolicy, WatcherQueue, type WatcherSink } from './watcher-queue.js';

/** How long an event may wait for others to share its write: far below what a person notices. */
const DELIVERY_WINDOW_MS = 10;

export class WatcherSet {
  readonly #queues = new Set<WatcherQueue>();
  readonly #unsubscribe: () => void;
  readonly #unwatchChanges: () => void;
  /** Published within the current delivery window, not yet delivered. */
  #pending: EncodedEvent[] = [];
  #deliveryTimer: NodeJS.Timeout | undefined;
  #deliveryQueued = false;

  constructor(
    private readonly bus: EventBus,
    private readonly history: EventHistory,
    private readonly presence: Presence,
    private readonly policy: SlowWatcherPolicy,
    /** Frames one event for this feed's wire format. */
    private readonly frame: (event: EncodedEvent) => Buffer,
    private readonly observer: FeedObserver = ignoreFeed,
  ) {
    this.#unsubscribe = bus.subscribe((event) => {
      if (this.#queues.size === 0) return;
      this.#pending.push(event);
      if (event.type !== 'upload.progress') {
        // Joins, leaves, uploads starting and ending arrive one per I/O callback, often in bursts
        // (500 dashboards dropping at once): the window gathers them into one write per watcher.
        this.#deliveryTimer ??= setTimeout(() => this.#deliver(), DELIVERY_WINDOW_MS);
      } else if (!this.#deliveryQueued) {
        // A tick's progress events, published one after another in the same task, leave together
        // as soon as that task ends. At full speed a turn of the event loop reads MiBs of upload
        // data (tens of ms): waiting for the window's timer cost that turn (measured with
        // bench/progress-latency.ts: announce → written to watchers, p50 ≈ 70 ms → ≈ 12 ms).
        this.#deliveryQueued = true;
        queueMicrotask(() => this.#deliver());
      }
    });
    this.#unwatchChanges = bus.onChange((change) => {
      if (change.kind === 'reset') {
        // What is pending belongs to the lost history: every watcher starts over from a snapshot.
        this.#pending = [];
        this.#pushToAll(this.history.snapshot(this.presence.count));
      } else {
        this.#deliver();
        this.#pushToAll(this.#notice(change.kind === 'degraded' ? 'feed.degraded' : 'feed.restored'));
      }
    });
  }

  get size(): number {
    return this.#queues.size;
  }

  /**
   * Starts a watcher: its catch-up (missed events or a snapshot) first, then every published event,
   * beginning with its own `watchers` announcement. All in one tick, so no event falls in between.
   */
  join(sink: WatcherSink, since: number | undefined): WatcherQueue {
    // Events still pending are older than the catch-up below: the others get them first.
    this.#deliver();
    const queue: WatcherQueue = new WatcherQueue(
      {
        get bufferedAmount() {
          return sink.bufferedAmount;
        },
        write: (payload) => sink.write(payload),
        // Leave at once, so the others see the count drop without waiting for the socket to close.
        dropTooSlow: (reason) => {
          this.leave(queue);
          this.observer.slowWatcherClosed();
          sink.dropTooSlow(reason);
        },
      },
      this.policy,
    );
    const catchUp = this.history.catchUp(since, this.presence.count + 1);
    if (since !== undefined) this.observer.caughtUp(catchUp[0]?.type === 'snapshot' ? 'snapshot' : 'replay');
    for (const event of catchUp) queue.push(event, this.frame(event));
    if (!this.bus.healthy) {
      const notice = this.#notice('feed.degraded');
      queue.push(notice, this.frame(notice));
    }
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
    this.#unwatchChanges();
    clearTimeout(this.#deliveryTimer);
    this.#pending = [];
    for (const queue of this.#queues) queue.close();
    this.#queues.clear();
  }

  #notice(type: FeedNotice['type']): EncodedEvent {
    return encodeEvent({ type, seq: this.bus.seq });
  }

  #pushToAll(event: EncodedEvent): void {
    const frame = this.frame(event);
    for (const queue of this.#queues) queue.push(event, frame);
  }

  #deliver(): void {
    clearTimeout(this.#deliveryTimer);
    this.#deliveryTimer = undefined;
    this.#deliveryQueued = false;
    const events = this.#pending;
    if (events.length === 0) return;
    this.#pending = [];
    const frames = events.map(this.frame);
    const joined = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
    for (const queue of this.#queues) queue.pushAll(events, frames, joined);
    this.observer.delivered(events, this.#queues.size);
  }
}
