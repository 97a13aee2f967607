// The index of completed uploads that GET /api/uploads, GET /api/uploads/:id and the events snapshot
// read. The storage's records are the truth; an index is rebuilt from them at start-up
// (`records.loadCompleted()`), and kept current by whoever commits or removes an upload.
// Synchronous on purpose: the events snapshot is built in one tick. A shared implementation (Redis,
// issue 12) keeps a replica in memory behind the same interface.

import type { Upload } from './upload.js';
import { contentUrl } from './upload-id.js';

export interface ListPage {
  uploads: Upload[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next: string | null;
}

export interface ListQuery {
  limit: number;
  /** The `next` cursor of the previous page. */
  before?: string | undefined;
}

export interface UploadIndex {
  get(id: string): Upload | undefined;
  /** Completed uploads, newest first (by completion time, then id). */
  list(query: ListQuery): ListPage;
  /** Adds a completed upload (after its commit). */
  insert(upload: Upload): void;
  /** Forgets an upload; false when it was not there. */
  delete(id: string): boolean;
}

/** Newest first: by completion time, then id, so the order is total and a cursor is stable. */
const sortKey = (upload: Upload) => `${upload.completedAt}\u0000${upload.id}`;

/** The index of one process: a map by id and an array in completion order. */
export class MemoryUploadIndex implements UploadIndex {
  readonly #byId = new Map<string, Upload>();
  /** Completed uploads, oldest first (appends are the common case). */
  #ordered: Upload[];

  /** `uploads` as the storage loaded them; their content URL is set here, not trusted from the record. */
  constructor(uploads: readonly Upload[]) {
    this.#ordered = uploads
      .map((upload) => ({ ...upload, url: contentUrl(upload.id) }))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    for (const upload of this.#ordered) this.#byId.set(upload.id, upload);
  }

  get size(): number {
    return this.#ordered.length;
  }

  get(id: string): Upload | undefined {
    return this.#byId.get(id);
  }

  list({ limit, before }: ListQuery): ListPage {
    let end = this.#ordered.length; // exclusive, walking backwards from the newest
    if (before !== undefined) end = this.#lowerBound(before);
    const start = Math.max(0, end - limit);
    const uploads = this.#ordered.slice(start, end).reverse();
    const last = uploads.at(-1);
    return { uploads, next: start > 0 && last ? sortKeyCursor(last) : null };
  }

  insert(upload: Upload): void {
    this.#byId.set(upload.id, upload);
    this.#ordered.splice(this.#lowerBound(sortKeyCursor(upload)), 0, upload);
  }

  delete(id: string): boolean {
    const upload = this.#byId.get(id);
    if (!upload) return false;
    this.#byId.delete(id);
    this.#ordered.splice(this.#lowerBound(sortKeyCursor(upload)), 1);
    return true;
  }

  /** Index of the first upload whose key is ≥ the cursor's key. */
  #lowerBound(cursor: string): number {
    const key = cursorKey(cursor);
    let lo = 0;
    let hi = this.#ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortKey(this.#ordered[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// A cursor names a position, not an upload, so it stays valid when that upload is deleted:
// "<completedAt as epoch ms>.<id>".
const sortKeyCursor = (upload: Upload) => `${Date.parse(upload.completedAt!)}.${upload.id}`;

function cursorKey(cursor: string): string {
  const dot = cursor.indexOf('.');
  const ms = Number(cursor.slice(0, dot));
  return `${new Date(ms).toISOString()}\u0000${cursor.slice(dot + 1)}`;
}

/** A cursor as produced by list(); anything else is a client error. */
export const isListCursor = (cursor: string) =>
  /^\d{1,15}\.[A-Za-z0-9_-]{22}$/.test(cursor) &&
  !Number.isNaN(new Date(Number(cursor.split('.')[0])).getTime());
