// Turns the upload pipeline's callbacks into live events. The pipeline reports progress after every
// acknowledged write (thousands per second for a fast upload); watchers need at most one progress
// event per upload per interval. Reports only update the upload's latest byte count; one tracker-wide
// tick per interval announces every upload that moved since the last one. A report after a quiet
// interval goes out at once (no wait when the server is idle), and the tick after the last report
// sends the latest count, so the last bytes are never left unannounced. One tick for all uploads
// (not a timer per upload) means the progress of 20 busy uploads leaves in the same moment, which
// the feeds turn into one socket write per watcher instead of twenty.
import type { Upload, UploadError } from '../uploads/upload.js';
import type { UploadObserver } from '../uploads/upload-observer.js';
import type { EventBus } from './event-bus.js';

interface Tracked {
  /** The pipeline's latest view of the upload (its byte count may be ahead of what was announced). */
  upload: Upload;
  announcedSize: number;
}

export class ProgressTracker implements UploadObserver {
  readonly #inProgress = new Map<string, Tracked>();
  /** Uploads with bytes reported since the last tick. */
  readonly #moved = new Set<Tracked>();
  #tick: NodeJS.Timeout | undefined;
  #lastTickAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs: number,
  ) {}

  /** Uploads still streaming, with their latest byte counts: the live half of a snapshot. */
  inProgress(): Upload[] {
    return [...this.#inProgress.values()].map((tracked) => ({ ...tracked.upload }));
  }

  started(upload: Upload): void {
    this.#inProgress.set(upload.id, { upload, announcedSize: upload.size });
    this.bus.publish({ type: 'upload.started', upload: { ...upload } });
  }

  progress(upload: Upload): void {
    const tracked = this.#inProgress.get(upload.id);
    if (!tracked) return; // after completed/failed/aborted: nothing more to announce
    tracked.upload = upload;
    if (this.#tick !== undefined) {
      this.#moved.add(tracked);
      return;
    }
    const now = performance.now();
    const wait = this.#lastTickAt + this.intervalMs - now;
    if (wait <= 0) {
      this.#lastTickAt = now;
      this.#announce(tracked);
    } else {
      this.#moved.add(tracked);
      this.#tick = setTimeout(() => this.#announceMoved(), wait).unref();
    }
  }

  completed(upload: Upload): void {
    const tracked = this.#finish(upload.id);
    // The final byte count always precedes `completed`, so a watcher drawing a progress bar
    // reaches 100 % from progress events alone.
    if (tracked && upload.size > tracked.announcedSize) {
      tracked.upload = upload;
      this.#announce(tracked);
    }
    this.bus.publish({ type: 'upload.completed', upload: { ...upload } });
  }

  failed(upload: Upload, error: UploadError): void {
    this.#finish(upload.id);
    this.bus.publish({ type: 'upload.failed', upload: { ...upload }, error: { ...error } });
  }

  aborted(upload: Upload): void {
    this.#finish(upload.id);
    this.bus.publish({ type: 'upload.aborted', upload: { ...upload } });
  }

  /** A paused upload stays in the snapshot's live half (with its stored size) until it resumes or ends. */
  paused(upload: Upload): void {
    const tracked = this.#inProgress.get(upload.id);
    if (tracked) {
      // The last bytes before the pause are announced first: progress reaches the paused size.
      this.#moved.delete(tracked);
      tracked.upload = upload;
      this.#announce(tracked);
    } else {
      // A paused upload restored at start-up: watchers meet it again in their snapshots.
      this.#inProgress.set(upload.id, { upload, announcedSize: upload.size });
    }
    this.bus.publish({ type: 'upload.paused', upload: { ...upload } });
  }

  expired(upload: Upload): void {
    this.#finish(upload.id);
    this.bus.publish({ type: 'upload.expired', upload: { ...upload } });
  }

  deleted(id: string): void {
    this.bus.publish({ type: 'upload.deleted', upload: { id } });
  }

  /** Cancels the pending tick (server shutdown). */
  close(): void {
    clearTimeout(this.#tick);
    this.#tick = undefined;
    this.#moved.clear();
    this.#inProgress.clear();
  }

  #finish(id: string): Tracked | undefined {
    const tracked = this.#inProgress.get(id);
    if (!tracked) return undefined;
    this.#inProgress.delete(id);
    this.#moved.delete(tracked);
    return tracked;
  }

  #announceMoved(): void {
    this.#tick = undefined;
    this.#lastTickAt = performance.now();
    for (const tracked of this.#moved) this.#announce(tracked);
    this.#moved.clear();
  }

  #announce(tracked: Tracked): void {
    const { upload } = tracked;
    // Sizes only grow for watchers, even if a report arrives out of order.
    if (upload.size <= tracked.announcedSize) return;
    tracked.announcedSize = upload.size;
    // The thumbnail (up to 16 KiB) is sent with `started`, `completed` and snapshots; repeating it
    // ten times a second per upload to every watcher would dwarf the byte counts. The pipeline may
    // already have marked the upload completed (the final count goes out just before `completed`):
    // a progress event still describes bytes arriving.
    const { thumbnail: _t, sha256: _s, completedAt: _c, url: _u, ...inFlight } = upload;
    this.bus.publish({ type: 'upload.progress', upload: { ...inFlight, status: 'uploading' } });
  }
}
