// The index of completed uploads that GET /api/uploads, GET /api/uploads/:id and the events snapshot
// read. The storage's records are the truth; an index is rebuilt from them at start-up
// (`records.loadCompleted()`), and kept current by whoever commits or removes an upload.
// Synchronous on purpose: the events snapshot is built in one tick. A shared implementation (Redis,
// issue 12) keeps a replica in memory behind the same interface.

import { cursorKey, sortKey, sortKeyCursor } from './list-cursor.js';
import type { Upload } from './upload.js';
import { contentUrl } from './upload-id.js';
import { type SearchFilters, UploadSearch } from './upload-search.js';

export { isListCursor } from './list-cursor.js';

export interface ListPage {
  uploads: Upload[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next: string | null;
}

/** With any filter (q, type, status), the page comes from the search (upload-search.ts). */
export interface ListQuery extends SearchFilters {
  limit: number;
  /** The `next` cursor of the previous page. */
  before?: string | undefined;
}

export interface UploadIndex {
  get(id: string): Upload | undefined;
  /** Completed uploads, newest first (by completion time, then id), matching the query's filters. */
  list(query: ListQuery): ListPage;
  /** Adds a completed upload (after its commit). */
  insert(upload: Upload): void;
  /** Forgets an upload; false when it was not there. */
  delete(id: string): boolean;
  /**
   * Resolves once this index has heard of every completion and deletion made anywhere before the
   * call (cluster mode: another node's, through the shared log); at once on a single node.
   */
  settled(): Promise<void>;
}

/**
 * The completed upload `id`, or undefined. A miss first waits for the index to settle, so an upload
 * completed through another node a moment ago is found, not answered 404 (read-your-writes behind a
 * load balancer).
 */
export async function findUpload(
  index: Pick<UploadIndex, 'get' | 'settled'>,
  id: string,
): Promise<Upload | undefined> {
  const upload = index.get(id);
  if (upload) return upload;
  await index.settled();
  return index.get(id);
}

/** The index of one process: a map by id and an array in completion order. */
export class MemoryUploadIndex implements UploadIndex {
  readonly #byId = new Map<string, Upload>();
  /** Completed uploads, oldest first (appends are the common case). */
  #ordered: Upload[];
  /** The same uploads, for filtered listings (GET /api/uploads?q=&type=&status=). */
  readonly #search = new UploadSearch();

  /** `uploads` as the storage loaded them; their content URL is set here, not trusted from the record. */
  constructor(uploads: readonly Upload[]) {
    this.#ordered = uploads
      .map((upload) => ({ ...upload, url: contentUrl(upload.id) }))
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    for (const upload of this.#ordered) {
      this.#byId.set(upload.id, upload);
      this.#search.add(upload);
    }
  }

  get size(): number {
    return this.#ordered.length;
  }

  get(id: string): Upload | undefined {
    return this.#byId.get(id);
  }

  list({ limit, before, q, type, status }: ListQuery): ListPage {
    if (q || type || status) return this.#search.search({ limit, before, q, type, status });
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
    this.#search.add(upload);
  }

  delete(id: string): boolean {
    const upload = this.#byId.get(id);
    if (!upload) return false;
    this.#byId.delete(id);
    this.#ordered.splice(this.#lowerBound(sortKeyCursor(upload)), 1);
    this.#search.remove(id);
    return true;
  }
  async settled(): Promise<void> {}

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
