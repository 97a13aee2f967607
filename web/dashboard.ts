// The live panel: every upload on the server, from everyone, as the feed reports it. Bytes "stored"
// come from the server's events; for files sent from this browser the row also shows bytes "sent",
// so the gap between the two (buffers, the network) is visible. Rows are keyed by upload id and
// updated in place, once per animation frame.
import type { Upload } from './api-types.js';
import { el, setAttributes, setText } from './element.js';
import type { FeedState, LiveUpload } from './feed-state.js';
import { createThumb, updateThumb } from './file-visual.js';
import { formatBytes, formatTimestamp, shortDigest } from './format.js';
import { locale } from './locale.js';
import { createProgressBar, setProgress } from './progress-bar.js';

interface Row {
  root: HTMLLIElement;
  thumb: HTMLElement;
  meta: HTMLElement;
  bar: HTMLElement;
  status: HTMLElement;
  stored: HTMLElement;
  sent: HTMLElement;
  digest: HTMLElement;
  digestText: HTMLElement;
  copy: HTMLButtonElement;
  download: HTMLAnchorElement;
  remove: HTMLButtonElement;
  error: HTMLElement;
}

export interface DashboardActions {
  /** Absolute URL for the upload's content `url`. */
  contentUrl(path: string): string;
  /** File bytes this browser has sent for the upload with this ref, if it is one of ours. */
  sentHere(ref: string | undefined): number | undefined;
  delete(upload: Upload): Promise<string | null>;
  announce(message: string): void;
}

export class Dashboard {
  readonly #list: HTMLElement;
  readonly #empty: HTMLElement;
  readonly #actions: DashboardActions;
  readonly #rows = new Map<string, Row>();
  #state: FeedState | null = null;
  #frame = 0;

  constructor(list: HTMLElement, empty: HTMLElement, actions: DashboardActions) {
    this.#list = list;
    this.#empty = empty;
    this.#actions = actions;
    setText(empty, locale.liveEmpty);
  }

  show(state: FeedState): void {
    this.#state = state;
    this.#frame ||= requestAnimationFrame(() => this.#render());
  }

  /** Redraw (e.g. this browser's sent bytes changed) without new server state. */
  refresh(): void {
    if (this.#state) this.show(this.#state);
  }

  #render(): void {
    this.#frame = 0;
    const state = this.#state;
    if (!state) return;
    for (const [id, row] of this.#rows) {
      if (!state.uploads.has(id)) {
        row.root.remove();
        this.#rows.delete(id);
      }
    }
    // Walk in display order (newest first), inserting or moving rows only where needed.
    let previous: Element | null = null;
    for (const upload of state.uploads.values()) {
      const row = this.#rows.get(upload.id) ?? this.#createRow(upload);
      this.#renderRow(row, upload);
      const expectedPosition: Element | null = previous
        ? previous.nextElementSibling
        : this.#list.firstElementChild;
      if (expectedPosition !== row.root) {
        if (previous) previous.after(row.root);
        else this.#list.prepend(row.root);
      }
      previous = row.root;
    }
    setAttributes(this.#empty, { hidden: state.uploads.size > 0 });
  }

  #createRow(upload: Upload): Row {
    const name = upload.name;
    const row: Row = {
      root: el('li', 'file', { 'data-id': upload.id }),
      thumb: createThumb(),
      meta: el('span', 'size muted'),
      bar: createProgressBar(locale.serverProgressLabel(name)),
      status: el('span', 'status-pill'),
      stored: el('span', 'stored'),
      sent: el('span', 'sent muted'),
      digest: el('span', 'digest', { hidden: true }),
      digestText: el('code', 'sha256'),
      copy: el(
        'button',
        'button tiny ghost',
        { type: 'button', 'aria-label': locale.copyChecksumLabel(name) },
        locale.copyChecksum,
      ),
      download: el(
        'a',
        'button small ghost download',
        { 'aria-label': locale.downloadLabel(name), download: name },
        locale.download,
      ),
      remove: el(
        'button',
        'button small ghost danger delete',
        { type: 'button', 'aria-label': locale.deleteLabel(name) },
        locale.delete,
      ),
      error: el('p', 'error', { hidden: true }),
    };
    row.digest.append(el('span', 'muted', {}, `${locale.checksum} `), row.digestText, row.copy);
    row.copy.onclick = async () => {
      const current = this.#state?.uploads.get(upload.id);
      if (!current?.sha256) return;
      await navigator.clipboard?.writeText(current.sha256).catch(() => undefined);
      this.#actions.announce(locale.copied);
    };
    row.remove.onclick = async () => {
      const current = this.#state?.uploads.get(upload.id) ?? upload;
      row.remove.disabled = true;
      const failure = await this.#actions.delete(current);
      row.remove.disabled = false;
      setText(row.error, failure ? locale.deleteFailed(current.name, failure) : '');
      setAttributes(row.error, { hidden: !failure });
    };
    row.root.append(
      row.thumb,
      el(
        'div',
        'body',
        {},
        el('div', 'line', {}, el('span', 'name', { title: name }, name), row.meta),
        row.bar,
        el('div', 'line small-text wrap', {}, row.status, row.stored, row.sent),
        row.digest,
        row.error,
      ),
      el('div', 'actions', {}, row.download, row.remove),
    );
    this.#rows.set(upload.id, row);
    return row;
  }

  #renderRow(row: Row, upload: LiveUpload): void {
    updateThumb(row.thumb, upload.thumbnail, upload.name, upload.type);
    setAttributes(row.root, { 'data-status': upload.status, 'data-ref': upload.ref ?? null });
    const total = upload.expected ?? (upload.status === 'completed' ? upload.size : null);
    setText(
      row.meta,
      `${formatBytes(total ?? upload.size)} · ${formatTimestamp(upload.completedAt ?? upload.createdAt)}`,
    );
    setProgress(row.bar, total === null ? null : total === 0 ? 1 : upload.size / total);
    setText(row.status, locale.status[upload.status]);
    const until = upload.status === 'paused' && upload.expiresAt ? formatTimestamp(upload.expiresAt) : null;
    setText(
      row.stored,
      locale.stored(upload.size, upload.expected) + (until ? locale.resumableUntil(until) : ''),
    );
    const sent = this.#actions.sentHere(upload.ref);
    setText(row.sent, sent === undefined ? '' : locale.sentHere(sent));
    setAttributes(row.sent, { hidden: sent === undefined });
    setAttributes(row.digest, { hidden: !upload.sha256 });
    setText(row.digestText, upload.sha256 ? shortDigest(upload.sha256) : '');
    setAttributes(row.digestText, { title: upload.sha256 ?? null });
    const href = upload.status === 'completed' && upload.url ? this.#actions.contentUrl(upload.url) : null;
    setAttributes(row.download, { hidden: !href, href });
    setAttributes(row.remove, { hidden: upload.status !== 'completed' });
    if (upload.failure) {
      setText(row.error, upload.failure);
      setAttributes(row.error, { hidden: false });
    }
  }
}
