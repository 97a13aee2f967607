// A list that renders only the rows in view (plus a margin), so 10,000 items cost what 50 do. Rows
// have one fixed height; each is absolutely placed at index × height inside a spacer as tall as the
// whole list, and row elements are recycled as they scroll out. When items change above what the
// reader is looking at (a new upload at the top), the scroll position moves by the same amount, so
// the rows on screen stay exactly where they were (scroll anchoring done by hand: the spacer's
// children are positioned, so the browser's own anchoring has nothing to hold on to).

export interface VirtualRow {
  readonly root: HTMLElement;
}

export interface VirtualListOptions<T, R extends VirtualRow> {
  /** The scrolling element (overflow: auto, a fixed height). */
  viewport: HTMLElement;
  /** The element rows go in; it is sized to the whole list. */
  list: HTMLElement;
  rowHeight: number;
  /** Rows rendered beyond each edge of the viewport. */
  overscan: number;
  key(item: T): string;
  create(): R;
  /** Shows `item` in `row` (a recycled row may have shown another item before). */
  bind(row: R, item: T, index: number, total: number): void;
  /** The rendered range reached the last `overscan` items: time to load more. */
  nearEnd(): void;
}

export class VirtualList<T, R extends VirtualRow> {
  readonly #o: VirtualListOptions<T, R>;
  #items: readonly T[] = [];
  readonly #rendered = new Map<string, R>();
  readonly #pool: R[] = [];
  #frame = 0;
  // The viewport's scroll position and height, as of its last scroll and resize events. Reading them
  // while rendering would force a layout of the whole page each frame (the other panel may just have
  // changed: a dropped folder adds rows there every frame).
  #top = 0;
  #height = 0;

  constructor(options: VirtualListOptions<T, R>) {
    this.#o = options;
    options.list.style.position = 'relative';
    options.viewport.addEventListener(
      'scroll',
      () => {
        this.#top = options.viewport.scrollTop;
        this.#schedule();
      },
      { passive: true },
    );
    new ResizeObserver(([entry]) => {
      this.#height = entry?.contentRect.height ?? 0;
      this.#schedule();
    }).observe(options.viewport);
  }

  /** A new row pitch (the layout changed, e.g. a narrow screen). */
  setRowHeight(height: number): void {
    const top = Math.floor(this.#top / this.#o.rowHeight);
    this.#o.rowHeight = height;
    this.#o.list.style.height = `${this.#items.length * height}px`;
    this.#scrollTo(top * height);
    this.render();
  }

  get items(): readonly T[] {
    return this.#items;
  }

  /** Replaces the items, keeping the first row in view where it was unless the reader is at the top. */
  setItems(items: readonly T[]): void {
    const { rowHeight, key } = this.#o;
    const top = this.#top;
    const anchorIndex = Math.floor(top / rowHeight);
    const anchor = top > 0 ? this.#items[anchorIndex] : undefined;
    this.#items = items;
    this.#o.list.style.height = `${items.length * rowHeight}px`;
    if (anchor !== undefined) {
      const anchorKey = key(anchor);
      const moved = items.findIndex((item) => key(item) === anchorKey);
      if (moved >= 0 && moved !== anchorIndex) this.#scrollTo(top + (moved - anchorIndex) * rowHeight);
    }
    this.render();
  }

  /** Renders now (also used after an item changed in place). */
  render(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    const { list, rowHeight, overscan, key } = this.#o;
    const items = this.#items;
    const first = Math.max(0, Math.floor(this.#top / rowHeight) - overscan);
    const last = Math.min(items.length - 1, Math.ceil((this.#top + this.#height) / rowHeight) + overscan);
    // A row holding keyboard focus stays (wherever it now is), so focus is never dropped on scroll.
    const focused = document.activeElement?.closest<HTMLElement>('[data-key]')?.dataset.key;
    const wanted = new Map<string, number>();
    for (let i = first; i <= last; i++) wanted.set(key(items[i]!), i);
    if (focused && !wanted.has(focused)) {
      const at = items.findIndex((item) => key(item) === focused);
      if (at >= 0) wanted.set(focused, at);
    }
    for (const [k, row] of this.#rendered) {
      if (wanted.has(k)) continue;
      this.#rendered.delete(k);
      row.root.remove();
      this.#pool.push(row);
    }
    // Bind in index order and keep DOM order = visual order, so Tab and screen readers follow the list.
    let previous: Element | null = null;
    for (const [k, index] of [...wanted].sort((a, b) => a[1] - b[1])) {
      let row = this.#rendered.get(k);
      if (!row) {
        row = this.#pool.pop() ?? this.#o.create();
        this.#rendered.set(k, row);
      }
      row.root.dataset.key = k;
      row.root.style.transform = `translateY(${index * rowHeight}px)`;
      this.#o.bind(row, items[index]!, index, items.length);
      const expected: Element | null = previous ? previous.nextElementSibling : list.firstElementChild;
      if (expected !== row.root) {
        if (previous) previous.after(row.root);
        else list.prepend(row.root);
      }
      previous = row.root;
    }
    if (last >= items.length - 1 - overscan) this.#o.nearEnd();
  }

  /** Scrolls to `top` (px), keeping the cached position in step (the scroll event comes later). */
  #scrollTo(top: number): void {
    this.#o.viewport.scrollTop = top;
    this.#top = Math.max(0, Math.min(top, this.#items.length * this.#o.rowHeight - this.#height));
  }

  /** The viewport was scrolled by someone else (a new search starts at the top). */
  scrollToTop(): void {
    this.#scrollTo(0);
  }

  #schedule(): void {
    this.#frame ||= requestAnimationFrame(() => this.render());
  }
}
