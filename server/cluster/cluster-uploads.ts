// This node's copy of what every node's snapshot shows: uploads in progress anywhere (from their
// started and latest progress events) and the recent completed ones. Kept from the same log the
// feeds deliver, so a snapshot is exactly as of the node's seq; loaded from Redis's projections
// (event-log-scripts.ts) when the node starts or the epoch changes.
import type { SnapshotSources } from '../events/event-history.js';
import type { EncodedEvent } from '../events/event-types.js';
import type { Upload } from '../uploads/upload.js';

interface LiveUpload {
  started?: Upload;
  progress?: Upload;
}

const uploadOf = (json: string): Upload => (JSON.parse(json) as { upload: Upload }).upload;
const newestFirst = (a: Upload, b: Upload) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

export class ClusterUploads implements SnapshotSources {
  #live = new Map<string, LiveUpload>();
  #recent: Upload[] = [];

  constructor(readonly recentLimit: number) {}

  /** `live` is the live hash as HGETALL returns it; `recent` the completed events' JSON. */
  load(live: string[], recent: (string | null)[]): void {
    this.#live = new Map();
    for (let i = 0; i < live.length; i += 2) {
      const [kind, id] = [live[i]!.slice(0, 1), live[i]!.slice(2)];
      if (kind === 'n') continue; // which node: only the survivors' heartbeat script reads it
      const entry = this.#live.get(id) ?? {};
      entry[kind === 's' ? 'started' : 'progress'] = uploadOf(live[i + 1]!);
      this.#live.set(id, entry);
    }
    this.#recent = recent.filter((json) => json !== null).map(uploadOf);
    this.#recent.sort(newestFirst);
  }

  /** Applies one event of the log, in seq order (the same rules as the Lua projection). */
  apply(event: EncodedEvent): void {
    const id = event.uploadId;
    if (id === undefined) return;
    switch (event.type) {
      case 'upload.started':
        this.#live.set(id, { started: uploadOf(event.json) });
        return;
      case 'upload.progress': {
        const entry = this.#live.get(id) ?? {};
        entry.progress = uploadOf(event.json);
        this.#live.set(id, entry);
        return;
      }
      case 'upload.completed': {
        this.#live.delete(id);
        this.#recent = [uploadOf(event.json), ...this.#recent.filter((u) => u.id !== id)]
          .sort(newestFirst)
          .slice(0, this.recentLimit);
        return;
      }
      case 'upload.deleted':
        this.#recent = this.#recent.filter((upload) => upload.id !== id);
        this.#live.delete(id);
        return;
      default:
        this.#live.delete(id);
    }
  }

  /** An in-progress upload as a snapshot shows it (started's fields, the latest byte count). */
  live(id: string): Upload | undefined {
    const entry = this.#live.get(id);
    if (!entry) return undefined;
    return { ...entry.started, ...entry.progress } as Upload;
  }

  inProgress(): Upload[] {
    return [...this.#live.keys()].map((id) => this.live(id)!);
  }

  recentUploads(): Upload[] {
    return [...this.#recent];
  }
}
