// The "Live on the server" panel as a file library: every completed upload, paged in from
// GET /api/uploads as the reader scrolls (one page in flight at a time, each cursor asked once),
// uploads still moving on top, all in a virtual list; search and type chips (search-box.ts); select
// several and delete them after one confirmation; copy a link; open an image in the lightbox.
import { errorMessage } from './api-error.js';
import { type ApiTarget, apiUrl, authHeaders } from './api-target.js';
import type { FeedEvent, Upload } from './api-types.js';
import type { ConfirmDialog } from './confirm-dialog.js';
import { type DashboardActions, DashboardRow, isViewable } from './dashboard.js';
import { setAttributes, setText } from './element.js';
import type { FeedState, LiveUpload } from './feed-state.js';
import { LibraryModel } from './library-model.js';
import type { Lightbox } from './lightbox.js';
import { locale } from './locale.js';
import { filterParams, hasFilters, type LibraryFilters } from './search-match.js';
import { VirtualList } from './virtual-list.js';

export const PAGE_SIZE = 100;
/** Row pitch in px (row + gap); taller on narrow screens, where the actions get their own line. */
const ROW_HEIGHT = { wide: 82, narrow: 124 };
const NARROW = '(max-width: 520px)';
/** Deletes in flight at once during a bulk delete. */
const DELETE_CONCURRENCY = 4;
/** Relative times ("3 min ago") are redrawn this often. */
const CLOCK_MS = 30_000;

export interface LibraryElements {
  viewport: HTMLElement;
  list: HTMLElement;
  status: HTMLElement;
  selection: HTMLElement;
  selectionText: HTMLElement;
  deleteSelected: HTMLButtonElement;
  clearSelection: HTMLButtonElement;
  selectAll: HTMLButtonElement;
}

export interface LibraryServices {
  target: ApiTarget;
  contentUrl(path: string): string;
  sentHere(ref: string | undefined): number | undefined;
  /** DELETE /api/uploads/:id; the failure's message, or null when it is gone. */
  deleteUpload(upload: Upload): Promise<string | null>;
  announce(message: string): void;
  lightbox: Lightbox;
  confirm: ConfirmDialog;
}

export class LibraryView {
  readonly #e: LibraryElements;
  readonly #s: LibraryServices;
  readonly #model = new LibraryModel();
  readonly #list: VirtualList<LiveUpload, DashboardRow>;
  readonly #selected = new Set<string>();
  #generation = 0;
  #loading: AbortController | null = null;
  #loadError: string | null = null;
  #frame = 0;

  constructor(elements: LibraryElements, services: LibraryServices, filters: LibraryFilters) {
    this.#e = elements;
    this.#s = services;
    const actions: DashboardActions = {
      contentUrl: services.contentUrl,
      sentHere: services.sentHere,
      announce: services.announce,
      copyText,
      delete: async (upload) => {
        const failure = await services.deleteUpload(upload);
        if (!failure) {
          services.announce(locale.announce.deleted(upload.name));
          this.#removed(upload.id);
        }
        return failure;
      },
      view: (upload) => {
        if (isViewable(upload) && upload.url)
          services.lightbox.open(services.contentUrl(upload.url), upload.name);
      },
      isSelected: (id) => this.#selected.has(id),
      select: (upload, on) => {
        if (on) this.#selected.add(upload.id);
        else this.#selected.delete(upload.id);
        this.#showSelection();
      },
    };
    const narrow = window.matchMedia(NARROW);
    this.#list = new VirtualList<LiveUpload, DashboardRow>({
      viewport: elements.viewport,
      list: elements.list,
      rowHeight: narrow.matches ? ROW_HEIGHT.narrow : ROW_HEIGHT.wide,
      overscan: 3,
      key: (upload) => upload.id,
      create: () => new DashboardRow(actions),
      bind: (row, upload, index, total) => row.bind(upload, index, total),
      nearEnd: () => void this.#loadMore(),
    });
    narrow.addEventListener('change', () =>
      this.#list.setRowHeight(narrow.matches ? ROW_HEIGHT.narrow : ROW_HEIGHT.wide),
    );
    elements.deleteSelected.onclick = () => void this.#deleteSelected();
    elements.clearSelection.onclick = () => {
      this.#selected.clear();
      this.#showSelection();
      this.#list.render();
    };
    elements.selectAll.onclick = () => {
      for (const upload of this.#model.items)
        if (upload.status === 'completed') this.#selected.add(upload.id);
      this.#showSelection();
      this.#list.render();
      services.announce(locale.selected(this.#selected.size));
    };
    setInterval(() => this.#list.render(), CLOCK_MS);
    this.#model.setFilters(filters);
    this.#showSelection();
    void this.#loadMore();
  }

  /** Every feed event feed-state.ts applied, with the state it made. */
  feed(event: FeedEvent, state: FeedState, resync: boolean): void {
    this.#model.applyFeed(event, state);
    // A fresh snapshot after a reconnect: deletions while away are unknown, so the pages are reloaded.
    if (resync) this.#restart();
    if (event.type === 'upload.deleted') this.#forget(event.upload.id);
    this.#schedule();
  }

  setFilters(filters: LibraryFilters): void {
    this.#model.setFilters(filters);
    this.#list.scrollToTop();
    this.#restart();
  }

  /** Redraw the rows in view (this browser's sent bytes changed). */
  refresh(): void {
    this.#schedule();
  }

  #restart(): void {
    this.#model.reload();
    this.#generation++;
    this.#loading?.abort();
    this.#loading = null;
    this.#loadError = null;
    this.#schedule();
    void this.#loadMore();
  }

  #schedule(): void {
    this.#frame ||= requestAnimationFrame(() => {
      this.#frame = 0;
      this.#list.setItems(this.#model.items);
      this.#showStatus();
    });
  }

  async #loadMore(): Promise<void> {
    const cursor = this.#model.nextCursor;
    if (this.#loading || cursor === null || this.#loadError) return;
    const generation = this.#generation;
    const params = filterParams(this.#model.filters);
    params.set('limit', String(PAGE_SIZE));
    if (cursor) params.set('before', cursor);
    const controller = new AbortController();
    this.#loading = controller;
    this.#showStatus();
    try {
      const response = await fetch(apiUrl(this.#s.target, `/api/uploads?${params}`), {
        headers: authHeaders(this.#s.target),
        signal: controller.signal,
      });
      if (generation !== this.#generation) return;
      if (!response.ok) throw new Error(errorMessage(response.status, await response.text()));
      const page = (await response.json()) as { uploads: Upload[]; next: string | null };
      if (generation !== this.#generation) return;
      this.#model.addPage(page.uploads, page.next);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#loadError = error instanceof TypeError ? locale.networkError : (error as Error).message;
    } finally {
      if (this.#loading === controller) this.#loading = null;
    }
    this.#schedule();
  }

  #showStatus(): void {
    const { status } = this.#e;
    const filters = this.#model.filters;
    const empty = this.#model.items.length === 0;
    let text = '';
    if (this.#loadError) text = locale.loadFailed(this.#loadError);
    else if (this.#loading && empty) text = locale.loading;
    else if (empty && this.#model.pages === 'all') {
      text = hasFilters(filters) ? locale.noMatches(filters.q) : locale.liveEmpty;
    }
    setText(status, text);
    setAttributes(status, { hidden: !text, 'data-state': this.#loadError ? 'error' : null });
    setAttributes(this.#e.viewport, { 'aria-busy': this.#loading ? 'true' : null });
  }

  #removed(id: string): void {
    this.#model.remove(id);
    this.#forget(id);
    this.#schedule();
  }

  #forget(id: string): void {
    if (this.#selected.delete(id)) this.#showSelection();
  }

  #showSelection(): void {
    const count = this.#selected.size;
    setAttributes(this.#e.selection, { hidden: count === 0 });
    setText(this.#e.selectionText, locale.selected(count));
    setText(this.#e.deleteSelected, locale.deleteSelected(count));
  }

  async #deleteSelected(): Promise<void> {
    const uploads = [...this.#selected].flatMap((id) => this.#model.get(id) ?? []);
    if (uploads.length === 0) return;
    const yes = await this.#s.confirm.ask(
      locale.confirmDelete(uploads.length, uploads[0]!.name),
      locale.deleteSelected(uploads.length),
    );
    if (!yes) {
      this.#e.deleteSelected.focus();
      return;
    }
    this.#e.deleteSelected.disabled = true;
    const failures: string[] = [];
    const queue = [...uploads];
    const worker = async () => {
      for (let upload = queue.shift(); upload; upload = queue.shift()) {
        const failure = await this.#s.deleteUpload(upload);
        if (failure) failures.push(locale.deleteFailed(upload.name, failure));
        else this.#removed(upload.id);
      }
    };
    await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
    this.#e.deleteSelected.disabled = false;
    const deleted = uploads.length - failures.length;
    this.#s.announce(locale.announce.bulkDeleted(deleted, failures.length));
    if (failures.length > 0) setText(this.#e.status, failures.join(' · '));
    setAttributes(this.#e.status, { hidden: failures.length === 0 });
    this.#e.viewport.focus();
  }
}

/** Clipboard API where the page is a secure context; the old execCommand path elsewhere (plain-http LAN). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.className = 'visually-hidden';
    document.body.append(field);
    field.select();
    const ok = document.execCommand('copy');
    field.remove();
    return ok;
  }
}
