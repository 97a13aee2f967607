// Where a feed starts: the events a watcher missed since the seq it last saw, when the replay buffer
// still holds them, otherwise a fresh snapshot (in-progress uploads, recent completed ones, the
// current seq and the watcher count). The snapshot carries the current seq, so whatever the bus
// delivers next follows it without a gap. With Redis the buffer is this node's replica of the
// shared log's tail, so `since` means the same on every node.
import type { Upload } from '../uploads/upload.js';
import type { EventBus } from './event-bus.js';
import { type EncodedEvent, encodeEvent } from './event-types.js';
import { ReplayBuffer } from './replay-buffer.js';

export interface SnapshotSources {
  /** Uploads still streaming (the progress tracker's view, or every node's in cluster mode). */
  inProgress(): Upload[];
  /** Recently completed uploads, newest first: given by the caller so events/ never reads storage. */
  recentUploads(): Upload[];
}

export class EventHistory {
  #buffer: ReplayBuffer;

  constructor(
    private readonly bus: EventBus,
    capacity: number,
    private readonly sources: SnapshotSources,
  ) {
    this.#buffer = new ReplayBuffer(capacity);
    for (const event of bus.held()) this.#buffer.push(event);
    bus.subscribe((event) => this.#buffer.push(event));
    // Subscribed before any feed (live-events.ts builds the history first), so a feed that sends
    // snapshots on a reset builds them from the new buffer.
    bus.onChange((change) => {
      if (change.kind === 'reset') this.reset(change.held);
    });
  }

  /**
   * After the bus lost or skipped history (a new Redis epoch): start over with what the log still
   * holds, oldest first. Older cursors then fall outside the buffer and get a snapshot.
   */
  reset(held: EncodedEvent[]): void {
    this.#buffer = new ReplayBuffer(this.#buffer.capacity, this.#buffer.maxBytes);
    for (const event of held) this.#buffer.push(event);
  }

  /** The missed events after `since` (possibly none), or [snapshot] when they are not all held. */
  catchUp(since: number | undefined, watchers: number): EncodedEvent[] {
    const missed = since === undefined ? undefined : this.#buffer.since(since, this.bus.seq);
    return missed ?? [this.snapshot(watchers)];
  }

  snapshot(watchers: number): EncodedEvent {
    const live = this.sources.inProgress();
    const liveIds = new Set(live.map((upload) => upload.id));
    const recent = this.sources.recentUploads().filter((upload) => !liveIds.has(upload.id));
    return encodeEvent({ type: 'snapshot', seq: this.bus.seq, uploads: [...live, ...recent], watchers });
  }
}
