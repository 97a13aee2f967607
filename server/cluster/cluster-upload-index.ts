// The upload index in cluster mode: every node keeps the whole index in memory (the routes and the
// snapshot read it synchronously), rebuilt at start from the shared storage's records (the truth),
// then kept current from the shared event log: an `upload.completed` from any node adds the upload,
// an `upload.deleted` removes it. So listing, get and delete on any node see every node's uploads,
// once their event reached it (milliseconds; during a Redis outage, when it is back).
import type { EventBus } from '../events/event-bus.js';
import type { EncodedEvent } from '../events/event-types.js';
import type { Upload } from '../uploads/upload.js';
import type { ListPage, ListQuery, MemoryUploadIndex, UploadIndex } from '../uploads/upload-index.js';

export class ClusterUploadIndex implements UploadIndex {
  constructor(
    private readonly replica: MemoryUploadIndex,
    private readonly bus: EventBus & { caughtUp(): Promise<void> },
  ) {
    // What the log held when this node started covers uploads completed since the records were read.
    for (const event of bus.held()) this.#apply(event);
    bus.subscribe((event) => this.#apply(event));
    // A new epoch reaches the feeds as a snapshot, not as events: what the new log already holds
    // (uploads completed meanwhile, the re-announced recent ones) is applied from it.
    bus.onChange((change) => {
      if (change.kind === 'reset') for (const event of change.held) this.#apply(event);
    });
  }

  get size(): number {
    return this.replica.size;
  }

  get(id: string): Upload | undefined {
    return this.replica.get(id);
  }

  list(query: ListQuery): ListPage {
    return this.replica.list(query);
  }

  /** Idempotent: the committing node inserts at once, and again when its own event comes back. */
  insert(upload: Upload): void {
    if (!this.replica.get(upload.id)) this.replica.insert(upload);
  }

  delete(id: string): boolean {
    return this.replica.delete(id);
  }

  /** Read-your-writes across nodes: waits until the log, as far as Redis has it now, is applied here. */
  settled(): Promise<void> {
    return this.bus.caughtUp();
  }

  #apply(event: EncodedEvent): void {
    if (event.type === 'upload.completed') {
      this.insert((JSON.parse(event.json) as { upload: Upload }).upload);
    } else if (event.type === 'upload.deleted' && event.uploadId !== undefined) {
      this.replica.delete(event.uploadId);
    }
  }
}
