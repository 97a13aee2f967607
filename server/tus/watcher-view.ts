// What watchers see of tus uploads (issue 10, Build 8): `started` at creation, `progress` as bytes are
// stored, `paused` when the connection ends before the last byte (at once for a PATCH cut off, after
// UPLOAD_IDLE_TIMEOUT for a client that stops between two PATCHes), `completed`, and `aborted` or
// `expired` at the end. The parts of a parallel upload are shown as one file (parallel-groups.ts).
// The tus room tells this view what happened; it decides what the observer hears.
import type { ResumableRecord } from '../storage/storage.js';
import type { Upload } from '../uploads/upload.js';
import type { UploadObserver } from '../uploads/upload-observer.js';
import { parseMetadata } from './headers.js';
import { GROUP_METADATA_KEY, ParallelGroups } from './parallel-groups.js';

/** How a request on the upload ended, as far as watchers care. */
export type RequestEnd = 'more-to-come' | 'cut-off' | 'taken-over';

export class TusWatcherView {
  readonly #groups: ParallelGroups;
  /** Uploads between two PATCHes: paused if the next one does not come in time. */
  readonly #between = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly observer: UploadObserver,
    private readonly idleMs: number,
  ) {
    this.#groups = new ParallelGroups(observer);
  }

  /**
   * A new upload. A tagged part joins its group, whose upload (id `reservedId` if it is the first
   * part) is what watchers see: returns the group's id. Untagged parts stay invisible.
   */
  created(record: ResumableRecord, reservedId: string | null): string | null {
    const { upload } = record;
    if (record.concat?.kind === 'partial') {
      const tag = groupTag(record);
      if (!tag || !reservedId) return null;
      return this.#groups.join(tag, upload.id, upload.expected ?? 0, 0, { ...upload, id: reservedId });
    }
    this.observer.started(upload);
    return null;
  }

  /** The final upload of `partIds`: the id watchers have known the file by since its first part, if any. */
  finalIdFor(partIds: readonly string[]): string | null {
    return this.#groups.concatenated(partIds)?.id ?? null;
  }

  /** Start-up: an unfinished upload restored from storage is shown paused. */
  restored(record: ResumableRecord): void {
    const { upload, concat } = record;
    if (concat?.kind !== 'partial') {
      this.observer.paused({ ...upload });
      return;
    }
    const tag = groupTag(record);
    if (tag && concat.finalId) {
      this.#groups.join(
        tag,
        upload.id,
        upload.expected ?? 0,
        upload.size,
        { ...upload, id: concat.finalId },
        true,
      );
    }
  }

  /** A PATCH begins writing. */
  writing(record: ResumableRecord): void {
    this.#clearBetween(record.upload.id);
    this.#groups.writing(record.upload.id, record.upload.expiresAt ?? record.expiresAt);
  }

  progress(record: ResumableRecord): void {
    if (record.concat?.kind === 'partial') this.#groups.progress(record.upload.id, record.upload.size);
    else this.observer.progress(record.upload);
  }

  /**
   * A PATCH ended before the last byte. Between two PATCHes, `pauseIfIdle` is given the announcement
   * after the idle time: it calls it only if no request has written the upload since, on any node.
   */
  stopped(
    record: ResumableRecord,
    end: RequestEnd,
    pauseIfIdle: (announce: () => void) => Promise<void>,
  ): void {
    const { upload } = record;
    if (end === 'more-to-come') {
      this.#groups.stopped(upload.id, upload.size, false);
      const timer = setTimeout(() => {
        this.#between.delete(upload.id);
        void pauseIfIdle(() => this.#pause(record));
      }, this.idleMs);
      this.#between.set(upload.id, timer.unref());
    } else if (end === 'cut-off') {
      this.#pause(record);
    } else {
      // Taken over by a newer request on the same upload: it goes straight on.
      this.#groups.stopped(upload.id, upload.size, false);
    }
  }

  completed(upload: Upload): void {
    this.#clearBetween(upload.id);
    this.observer.completed(upload);
  }

  /** Terminated (DELETE) or expired: the file ends for watchers. */
  removed(record: ResumableRecord, how: 'aborted' | 'expired'): void {
    const { id } = record.upload;
    this.#clearBetween(id);
    if (record.concat?.kind === 'partial') {
      this.#groups.ended(id, how);
      return;
    }
    const upload: Upload = { ...record.upload, status: 'aborted' };
    if (how === 'aborted') this.observer.aborted(upload);
    else this.observer.expired(upload);
  }

  close(): void {
    for (const timer of this.#between.values()) clearTimeout(timer);
    this.#between.clear();
  }

  #pause(record: ResumableRecord): void {
    const { upload } = record;
    if (record.concat?.kind === 'partial') {
      this.#groups.stopped(upload.id, upload.size, true);
      return;
    }
    upload.status = 'paused';
    this.observer.paused({ ...upload });
  }

  #clearBetween(id: string): void {
    clearTimeout(this.#between.get(id));
    this.#between.delete(id);
  }
}

/** The parallel-upload tag a part carries in its metadata (tus-js-client `metadataForPartialUploads`). */
export function groupTag(record: ResumableRecord): string | null {
  return record.metadata ? (parseMetadata(record.metadata).values.get(GROUP_METADATA_KEY) ?? null) : null;
}
