// One watcher's outbound queue: the slow-watcher policy of DESIGN.md §5. Events go straight to the
// socket while it keeps up. Once its unsent bytes pass a high-water mark the watcher is "behind":
// events wait here, and progress events are coalesced to the latest one per upload (every other type
// is kept), so a slow dashboard still sees every upload start and end, just fewer steps between.
// A behind watcher that takes nothing for too long, or whose queue grows past a bound, is dropped (the
// WebSocket feed closes it with 1008, RFC 6455 §7.4.1 "policy violation") and can come back with
// `since`. Nothing here ever waits for the socket, so one stuck watcher slows no upload and no one else.
import { type EncodedEvent, EVENT_TYPES } from './event-types.js';

export interface SlowWatcherPolicy {
  /** Unsent bytes in the socket above which the watcher counts as behind. At least 16 KiB: the
   *  sockets only promise a 'drain' once a write has pushed them past their own 16 KiB mark. */
  highWaterBytes: number;
  /** Queued bytes past which a behind watcher is dropped. */
  maxQueuedBytes: number;
  /** How long a behind watcher may go without taking a single event before it is dropped. A slow
   *  but moving reader is kept: coalescing bounds what it costs. */
  maxBehindMs: number;
}

export const defaultSlowWatcherPolicy = {
  highWaterBytes: 256 * 1024,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxBehindMs: 30_000,
} satisfies SlowWatcherPolicy;

/** The defaults with `overrides` applied, checked once up front. */
export function slowWatcherPolicy(overrides: Partial<SlowWatcherPolicy> = {}): SlowWatcherPolicy {
  const policy = { ...defaultSlowWatcherPolicy, ...overrides };
  if (!(policy.highWaterBytes >= 16 * 1024)) throw new RangeError('highWaterBytes must be at least 16 KiB');
  if (!(policy.maxQueuedBytes > 0 && policy.maxBehindMs > 0)) {
    throw new RangeError('maxQueuedBytes and maxBehindMs must be positive');
  }
  return policy;
}

/** What a feed gives the queue for one watcher's connection. */
export interface WatcherSink {
  /** Bytes written but not yet handed to the kernel. */
  readonly bufferedAmount: number;
  /** Writes one event already framed for this feed (a WebSocket frame, an SSE block). */
  write(payload: Buffer): void;
  /** Ends the connection because the watcher fell too far behind. Called at most once. */
  dropTooSlow(reason: string): void;
}

interface Queued {
  readonly event: EncodedEvent;
  readonly payload: Buffer;
  superseded: boolean;
}

export class WatcherQueue {
  #items: Queued[] = [];
  /** Index of the first unsent item; items before it are sent and wait for compaction. */
  #head = 0;
  #queuedBytes = 0;
  readonly #latestProgress = new Map<string, Queued>();
  #behindTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly sink: WatcherSink,
    private readonly policy: SlowWatcherPolicy,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Several events published together: `joined` is their frames concatenated (shared by every
   * watcher), written in one go when the watcher keeps up, else queued one by one.
   */
  pushAll(events: readonly EncodedEvent[], frames: readonly Buffer[], joined: Buffer): void {
    if (this.#closed) return;
    if (this.#head === this.#items.length && this.sink.bufferedAmount <= this.policy.highWaterBytes) {
      this.sink.write(joined);
      return;
    }
    for (const [i, event] of events.entries()) this.push(event, frames[i]!);
  }

  push(event: EncodedEvent, payload: Buffer): void {
    if (this.#closed) return;
    if (this.#head === this.#items.length && this.sink.bufferedAmount <= this.policy.highWaterBytes) {
      this.sink.write(payload);
      return;
    }
    if (EVENT_TYPES[event.type].coalescable && event.uploadId !== undefined) {
      const previous = this.#latestProgress.get(event.uploadId);
      if (previous) {
        // The newer count replaces the older one, but at the back of the queue, so the watcher
        // still receives events in seq order (its Last-Event-ID / `since` stays meaningful).
        previous.superseded = true;
        this.#queuedBytes -= previous.payload.length;
      }
    }
    const queued: Queued = { event, payload, superseded: false };
    this.#items.push(queued);
    this.#queuedBytes += payload.length;
    if (EVENT_TYPES[event.type].coalescable && event.uploadId !== undefined) {
      this.#latestProgress.set(event.uploadId, queued);
    }
    if (this.#queuedBytes > this.policy.maxQueuedBytes) {
      this.#drop(`more than ${this.policy.maxQueuedBytes} bytes of events queued`);
      return;
    }
    this.#behindTimer ??= setTimeout(
      () => this.#drop(`no event could be sent for ${this.policy.maxBehindMs} ms`),
      this.policy.maxBehindMs,
    ).unref();
    this.flush();
  }

  /** Sends what the socket can take now; feeds call it when the socket drains. */
  flush(): void {
    let sent = false;
    while (this.#head < this.#items.length && this.sink.bufferedAmount <= this.policy.highWaterBytes) {
      const queued = this.#items[this.#head++]!;
      if (queued.superseded) continue;
      this.#queuedBytes -= queued.payload.length;
      const { uploadId } = queued.event;
      if (uploadId !== undefined && this.#latestProgress.get(uploadId) === queued) {
        this.#latestProgress.delete(uploadId);
      }
      this.sink.write(queued.payload);
      if (this.#closed) return; // the write failed and the connection went away
      sent = true;
    }
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
      clearTimeout(this.#behindTimer);
      this.#behindTimer = undefined;
      return;
    }
    if (sent) this.#behindTimer?.refresh();
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Forgets everything queued; the connection is gone. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#behindTimer);
    this.#behindTimer = undefined;
    this.#items = [];
    this.#head = 0;
    this.#queuedBytes = 0;
    this.#latestProgress.clear();
  }

  #drop(reason: string): void {
    if (this.#closed) return;
    this.close();
    this.sink.dropTooSlow(reason);
  }
}
