// Turns the upload pipeline's callbacks into live events. The pipeline reports progress after every
// acknowledged write (thousands per second for a fast upload); watchers need at most one progress
// event per upload per interval. So: the first report after a quiet interval goes out at once, later
// ones only update the pending byte count, and one trailing timer per upload sends the latest count
// when the interval ends, so the last bytes are never left unannounced.
import type { Upload, UploadError } from '../uploads/upload.js';
import type { UploadObserver } from '../uploads/upload-observer.js';
import type { EventBus } from './event-bus.js';

interface Tracked {
  /** The pipeline's latest view of the upload (its byte count may be ahead of what was announced). */
  upload: Upload;
  announcedSize: number;
  announcedAt: number;
  trailing: NodeJS.Timeout | undefined;
}

export class ProgressTracker implements UploadObserver {
  readonly #inProgress = new Map<string, Tracked>();

  constructor(
    private readonly bus: EventBus,
    private readonly intervalMs: number,
  ) {}

  /** Uploads still streaming, with their latest byte counts: the live half of a snapshot. */
  inProgress(): Upload[] {
    return [...this.#inProgress.values()].map((tracked) => ({ ...tracked.upload }));
  }

  started(upload: Upload): void {
    this.#inProgress.set(upload.id, {
      upload,
      announcedSize: upload.size,
      announcedAt: Number.NEGATIVE_INFINITY, // the first byte count goes out at once
      trailing: undefined,
    });
    this.bus.publish({ type: 'upload.started', upload: { ...upload } });
  }

  progress(upload: Upload): void {
    const tracked = this.#inProgress.get(upload.id);
    if (!tracked) return; // after completed/failed/aborted: nothing more to announce
    tracked.upload = upload;
    if (tracked.trailing) return;
    const wait = tracked.announcedAt + this.intervalMs - performance.now();
    if (wait <= 0) this.#announce(tracked);
    else tracked.trailing = setTimeout(() => this.#announce(tracked), wait).unref();
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

  deleted(id: string): void {
    this.bus.publish({ type: 'upload.deleted', upload: { id } });
  }

  /** Cancels pending timers (server shutdown). */
  close(): void {
    for (const id of [...this.#inProgress.keys()]) this.#finish(id);
  }

  #finish(id: string): Tracked | undefined {
    const tracked = this.#inProgress.get(id);
    if (!tracked) return undefined;
    clearTimeout(tracked.trailing);
    tracked.trailing = undefined;
    this.#inProgress.delete(id);
    return tracked;
  }

  #announce(tracked: Tracked): void {
    tracked.trailing = undefined;
    tracked.announcedAt = performance.now();
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
