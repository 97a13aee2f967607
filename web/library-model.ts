// The library panel's model: every upload on the server, newest first. Uploads still moving (or that
// failed, as the feed reported them) come first; then the completed ones, loaded page by page from
// GET /api/uploads (with the current filters) and joined by completions from the live feed. A live
// completion is inserted where it sorts (the top, in practice) when it is newer than the oldest loaded
// upload; an older one will arrive with a later page. Deletions from the feed remove an upload
// wherever it is. Pure data, no DOM: the view asks for `items` after each change.
import type { FeedEvent, Upload } from './api-types.js';
import type { FeedState, LiveUpload } from './feed-state.js';
import { type LibraryFilters, matchesFilters, noFilters } from './search-match.js';

/** Newest first: completion time, then id (the server's order, so pages join without gaps). */
const completedKey = (upload: Upload) => `${upload.completedAt ?? upload.createdAt}\u0000${upload.id}`;

export type PageState = 'unloaded' | 'more' | 'all';

export class LibraryModel {
  #filters: LibraryFilters = noFilters;
  #active: LiveUpload[] = [];
  #completed: LiveUpload[] = [];
  readonly #completedIds = new Map<string, LiveUpload>();
  #next: string | null = null;
  #pages: PageState = 'unloaded';
  #items: LiveUpload[] | null = null;

  get filters(): LibraryFilters {
    return this.#filters;
  }

  /** Cursor for the next page: undefined for the first, null when every page is loaded. */
  get nextCursor(): string | undefined | null {
    return this.#pages === 'unloaded' ? undefined : this.#pages === 'all' ? null : this.#next;
  }

  get pages(): PageState {
    return this.#pages;
  }

  /** What the list shows, in order (cached until the next change). */
  get items(): readonly LiveUpload[] {
    this.#items ??= [...this.#active.filter((u) => matchesFilters(u, this.#filters)), ...this.#completed];
    return this.#items;
  }

  get(id: string): LiveUpload | undefined {
    return this.#completedIds.get(id) ?? this.#active.find((u) => u.id === id);
  }

  /** New filters: the completed list starts over from the first page. */
  setFilters(filters: LibraryFilters): void {
    this.#filters = filters;
    this.reload();
  }

  /** Forget the loaded pages (a new search, or a feed that lost track of deletions). */
  reload(): void {
    this.#completed = [];
    this.#completedIds.clear();
    this.#next = null;
    this.#pages = 'unloaded';
    this.#items = null;
  }

  /** A page of GET /api/uploads answered for the current filters. */
  addPage(uploads: readonly Upload[], next: string | null): void {
    for (const upload of uploads) this.#insertCompleted(upload);
    this.#next = next;
    this.#pages = next === null ? 'all' : 'more';
    this.#items = null;
  }

  /** A feed event that feed-state.ts applied, with the state it produced. */
  applyFeed(event: FeedEvent, state: FeedState): void {
    this.#items = null;
    if (event.type === 'snapshot') {
      this.#active = [...state.uploads.values()].filter((u) => u.status !== 'completed');
      for (const upload of state.uploads.values()) if (upload.status === 'completed') this.#offer(upload);
      return;
    }
    if (!('upload' in event)) return; // watchers, feed.degraded: nothing about uploads
    const id = event.upload.id;
    if (event.type === 'upload.deleted') {
      this.remove(id);
      return;
    }
    const upload = state.uploads.get(id);
    if (!upload) return;
    const at = this.#active.findIndex((u) => u.id === id);
    if (upload.status === 'completed') {
      if (at >= 0) this.#active.splice(at, 1);
      this.#offer(upload);
    } else if (at >= 0) {
      this.#active[at] = upload;
    } else {
      this.#active.unshift(upload);
    }
  }

  remove(id: string): void {
    this.#items = null;
    this.#active = this.#active.filter((u) => u.id !== id);
    if (!this.#completedIds.delete(id)) return;
    this.#completed = this.#completed.filter((u) => u.id !== id);
  }

  /** A completion from the feed: shown now if it sorts within what is loaded, else left to a later page. */
  #offer(upload: LiveUpload): void {
    if (!matchesFilters(upload, this.#filters)) return;
    const oldest = this.#completed.at(-1);
    const within =
      this.#completedIds.has(upload.id) ||
      this.#pages !== 'more' ||
      !oldest ||
      completedKey(upload) > completedKey(oldest);
    if (within) this.#insertCompleted(upload);
  }

  #insertCompleted(upload: LiveUpload): void {
    const known = this.#completedIds.get(upload.id);
    if (known) {
      const at = this.#completed.indexOf(known);
      this.#completed[at] = upload;
    } else {
      const key = completedKey(upload);
      // Binary search for the first upload older than this one (pages arrive in order: appends).
      let lo = 0;
      let hi = this.#completed.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (completedKey(this.#completed[mid]!) > key) lo = mid + 1;
        else hi = mid;
      }
      this.#completed.splice(lo, 0, upload);
    }
    this.#completedIds.set(upload.id, upload);
  }
}
