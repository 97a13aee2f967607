// This browser's uploads as a list: preview, name, a progress bar of bytes sent, speed and time left,
// the state, the server's error message, and Cancel / Retry / Remove. Rows are keyed by ref and
// updated in place, at most once per animation frame, so nothing jumps or flickers while bytes flow.
import { el, setAttributes, setText } from './element.js';
import { createThumb, updateThumb } from './file-visual.js';
import { formatBytes } from './format.js';
import { locale } from './locale.js';
import { createProgressBar, setProgress } from './progress-bar.js';
import { canRetry, type LocalUpload, type UploadQueue } from './upload-queue.js';

interface Row {
  root: HTMLLIElement;
  thumb: HTMLElement;
  bar: HTMLElement;
  status: HTMLElement;
  detail: HTMLElement;
  error: HTMLElement;
  cancel: HTMLButtonElement;
  retry: HTMLButtonElement;
  remove: HTMLButtonElement;
  open: HTMLAnchorElement;
}

export interface QueueViewElements {
  list: HTMLElement;
  empty: HTMLElement;
  total: HTMLElement;
  totalText: HTMLElement;
  totalBytes: HTMLElement;
  totalBar: HTMLElement;
}

const active = new Set(['preparing', 'queued', 'uploading', 'processing', 'waiting']);

export class QueueView {
  readonly #elements: QueueViewElements;
  readonly #queue: () => UploadQueue;
  readonly #rows = new Map<string, Row>();
  readonly #dirty = new Set<string>();
  readonly #downloadUrl: (path: string) => string;
  #frame = 0;
  #countdown: ReturnType<typeof setTimeout> | undefined;

  constructor(elements: QueueViewElements, queue: () => UploadQueue, downloadUrl: (path: string) => string) {
    this.#elements = elements;
    this.#queue = queue;
    this.#downloadUrl = downloadUrl;
    setText(elements.empty, locale.yourUploadsEmpty);
    setAttributes(elements.totalBar, { 'aria-label': locale.totalProgressLabel });
  }

  /** Marks a row for redrawing on the next frame. */
  changed(item: LocalUpload): void {
    this.#dirty.add(item.ref);
    this.#frame ||= requestAnimationFrame(() => this.#render());
  }

  #render(): void {
    this.#frame = 0;
    const queue = this.#queue();
    for (const ref of this.#dirty) {
      const item = queue.get(ref);
      const row = this.#rows.get(ref);
      if (!item) {
        row?.root.remove();
        this.#rows.delete(ref);
      } else {
        this.#renderRow(row ?? this.#createRow(item), item);
      }
    }
    this.#dirty.clear();
    const items = queue.items;
    this.#renderTotal(items);
    // Files waiting for an automatic retry show a countdown: redraw them once a second.
    const waiting = items.filter((i) => i.status === 'waiting');
    if (waiting.length > 0) {
      clearTimeout(this.#countdown);
      this.#countdown = setTimeout(() => {
        for (const item of waiting) this.changed(item);
      }, 1000);
    }
  }

  #createRow(item: LocalUpload): Row {
    const name = item.file.name;
    const button = (label: string, aria: string, className: string) =>
      el('button', `button small ${className}`, { type: 'button', 'aria-label': aria }, label);
    const row: Row = {
      root: el('li', 'file', { 'data-ref': item.ref }),
      thumb: createThumb(),
      bar: createProgressBar(locale.fileProgressLabel(name)),
      status: el('span', 'status'),
      detail: el('span', 'detail muted'),
      error: el('p', 'error', { hidden: true }),
      cancel: button(locale.cancel, locale.cancelLabel(name), 'ghost cancel'),
      retry: button(locale.retry, locale.retryLabel(name), 'retry'),
      remove: button(locale.dismiss, locale.dismissLabel(name), 'ghost remove'),
      open: el(
        'a',
        'button small ghost open',
        { target: '_blank', rel: 'noopener', 'aria-label': locale.openLabel(name) },
        locale.open,
      ),
    };
    row.cancel.onclick = () => this.#queue().cancel(item.ref);
    row.retry.onclick = () => this.#queue().retry(item.ref);
    row.remove.onclick = () => {
      this.#queue().remove(item.ref);
      this.changed(item);
    };
    row.root.append(
      row.thumb,
      el(
        'div',
        'body',
        {},
        el(
          'div',
          'line',
          {},
          el('span', 'name', { title: name }, name),
          el('span', 'size muted', {}, formatBytes(item.file.size)),
        ),
        row.bar,
        el('div', 'line small-text', {}, row.status, row.detail),
        row.error,
      ),
      el('div', 'actions', {}, row.cancel, row.retry, row.open, row.remove),
    );
    this.#elements.list.prepend(row.root);
    this.#rows.set(item.ref, row);
    return row;
  }

  #renderRow(row: Row, item: LocalUpload): void {
    const size = item.file.size;
    updateThumb(row.thumb, item.thumbnail, item.file.name, item.file.type);
    setAttributes(row.root, { 'data-status': item.status });
    setProgress(row.bar, size === 0 ? (item.status === 'done' ? 1 : 0) : item.sent / size);
    setText(row.status, statusText(item));
    setText(row.detail, detailText(item));
    setText(row.error, item.error ?? '');
    setAttributes(row.error, { hidden: !item.error });
    setAttributes(row.cancel, { hidden: !active.has(item.status) });
    setAttributes(row.retry, { hidden: !canRetry(item) });
    setAttributes(row.remove, { hidden: active.has(item.status) });
    const url = item.upload?.url;
    setAttributes(row.open, {
      hidden: !(item.status === 'done' && url),
      href: url ? this.#downloadUrl(url) : null,
    });
  }

  #renderTotal(items: LocalUpload[]): void {
    const { total, totalText, totalBytes, totalBar, empty } = this.#elements;
    setAttributes(empty, { hidden: items.length > 0 });
    const counted = items.filter((i) => i.status !== 'cancelled' && i.status !== 'failed');
    setAttributes(total, { hidden: counted.length === 0 });
    const size = counted.reduce((sum, i) => sum + i.file.size, 0);
    const sent = counted.reduce((sum, i) => sum + i.sent, 0);
    const done = counted.filter((i) => i.status === 'done').length;
    setText(totalText, locale.totalProgress(done, counted.length));
    setText(totalBytes, `${formatBytes(sent)} / ${formatBytes(size)}`);
    setProgress(totalBar, size === 0 ? (done === counted.length ? 1 : 0) : sent / size);
  }
}

function statusText(item: LocalUpload): string {
  switch (item.status) {
    case 'preparing':
      return locale.preparing;
    case 'queued':
      return locale.queued;
    case 'uploading':
      return locale.uploading(item.sent, item.file.size);
    case 'processing':
      return locale.processing;
    case 'waiting':
      if (item.retryAt === null) return locale.waitingForNetwork;
      return locale.retrying(Math.max(0, (item.retryAt - Date.now()) / 1000), item.failures + 1);
    case 'done':
      return locale.done;
    case 'failed':
      return locale.status.failed;
    case 'cancelled':
      return locale.cancelled;
  }
}

function detailText(item: LocalUpload): string {
  if (item.status === 'uploading' && item.bytesPerSecond !== undefined) {
    return locale.speed(item.bytesPerSecond, item.etaSeconds);
  }
  return '';
}
