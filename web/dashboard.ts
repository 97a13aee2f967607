// One row of the live panel: an upload on the server, from anyone, as the feed and the listing report
// it. Bytes "stored" come from the server's events; for files sent from this browser the row also
// shows bytes "sent", so the gap between the two (buffers, the network) is visible. Rows are recycled
// by the virtual list (library-view.ts), so every handler reads the upload the row shows now.
import type { Upload } from './api-types.js';
import { el, setAttributes, setText } from './element.js';
import type { LiveUpload } from './feed-state.js';
import { createThumb, updateThumb } from './file-visual.js';
import { formatBytes, shortDigest } from './format.js';
import { locale } from './locale.js';
import { createProgressBar, setProgress } from './progress-bar.js';
import { formatExact, formatRelative } from './relative-time.js';

export interface DashboardActions {
  /** Absolute URL for the upload's content `url`. */
  contentUrl(path: string): string;
  /** File bytes this browser has sent for the upload with this ref, if it is one of ours. */
  sentHere(ref: string | undefined): number | undefined;
  delete(upload: Upload): Promise<string | null>;
  announce(message: string): void;
  copyText(text: string): Promise<boolean>;
  /** Opens an image upload in the lightbox. */
  view(upload: Upload): void;
  isSelected(id: string): boolean;
  select(upload: Upload, selected: boolean): void;
}

/** Types the lightbox shows (the content route serves them inline; never SVG). */
const VIEWABLE = /^image\/(png|jpeg|gif|webp|avif)$/i;
export const isViewable = (upload: Upload) => upload.status === 'completed' && VIEWABLE.test(upload.type);

/** The folder part of an upload's relative path ("photos/2024/" for "photos/2024/a.jpg"), or ''. */
export function folderOf(upload: Upload): string {
  const path = upload.path ?? '';
  const slash = path.lastIndexOf('/');
  return slash > 0 ? path.slice(0, slash + 1) : '';
}

export class DashboardRow {
  readonly root: HTMLLIElement;
  #upload: LiveUpload | null = null;
  readonly #select: HTMLInputElement;
  readonly #thumb: HTMLElement;
  readonly #view: HTMLButtonElement;
  readonly #name: HTMLElement;
  readonly #folder: HTMLElement;
  readonly #meta: HTMLElement;
  readonly #bar: HTMLElement;
  readonly #status: HTMLElement;
  readonly #stored: HTMLElement;
  readonly #sent: HTMLElement;
  readonly #digest: HTMLElement;
  readonly #digestText: HTMLElement;
  readonly #copy: HTMLButtonElement;
  readonly #link: HTMLButtonElement;
  readonly #download: HTMLAnchorElement;
  readonly #remove: HTMLButtonElement;
  readonly #error: HTMLElement;
  readonly #actions: DashboardActions;

  constructor(actions: DashboardActions) {
    this.#actions = actions;
    const button = (className: string, label: string) =>
      el('button', `button ${className}`, { type: 'button' }, label);
    this.root = el('li', 'file');
    this.#select = el('input', 'select', { type: 'checkbox' });
    this.#thumb = createThumb();
    this.#view = el('button', 'thumb-button', { type: 'button' });
    this.#name = el('span', 'name');
    this.#folder = el('span', 'folder muted');
    this.#meta = el('span', 'size muted');
    this.#bar = createProgressBar('');
    this.#status = el('span', 'status-pill');
    this.#stored = el('span', 'stored');
    this.#sent = el('span', 'sent muted');
    this.#digest = el('span', 'digest');
    this.#digestText = el('code', 'sha256');
    this.#copy = button('tiny ghost', locale.copyChecksum);
    this.#link = button('small ghost copy-link', locale.copyLink);
    this.#download = el('a', 'button small ghost download', {}, locale.download);
    this.#remove = button('small ghost danger delete', locale.delete);
    this.#error = el('span', 'error');

    this.#select.onchange = () => this.#upload && actions.select(this.#upload, this.#select.checked);
    this.#view.onclick = () => this.#upload && actions.view(this.#upload);
    this.#copy.onclick = async () => {
      if (!this.#upload?.sha256) return;
      if (await actions.copyText(this.#upload.sha256)) actions.announce(locale.copied);
    };
    this.#link.onclick = async () => {
      const url = this.#upload?.url;
      if (!url) return;
      if (await actions.copyText(actions.contentUrl(url)))
        actions.announce(locale.linkCopied(this.#upload!.name));
    };
    this.#remove.onclick = async () => {
      const upload = this.#upload;
      if (!upload) return;
      this.#remove.disabled = true;
      const failure = await actions.delete(upload);
      this.#remove.disabled = false;
      if (failure && this.#upload?.id === upload.id)
        this.#showError(locale.deleteFailed(upload.name, failure));
    };
    this.#view.append(this.#thumb);
    this.#digest.append(this.#digestText, this.#copy);
    this.root.append(
      el('label', 'select-box', {}, this.#select),
      this.#view,
      el(
        'div',
        'body',
        {},
        el('div', 'line', {}, el('span', 'title', {}, this.#folder, this.#name), this.#meta),
        this.#bar,
        el(
          'div',
          'line small-text wrap',
          {},
          this.#status,
          this.#stored,
          this.#sent,
          this.#digest,
          this.#error,
        ),
      ),
      el('div', 'actions', {}, this.#link, this.#download, this.#remove),
    );
  }

  get upload(): LiveUpload | null {
    return this.#upload;
  }

  bind(upload: LiveUpload, index: number, total: number): void {
    const name = upload.name;
    if (this.#upload?.id !== upload.id) {
      // Another upload in a recycled row: its labels and any old error go.
      setAttributes(this.#select, { 'aria-label': locale.selectLabel(name) });
      setAttributes(this.#bar, { 'aria-label': locale.serverProgressLabel(name) });
      setAttributes(this.#copy, { 'aria-label': locale.copyChecksumLabel(name) });
      setAttributes(this.#link, { 'aria-label': locale.copyLinkLabel(name) });
      setAttributes(this.#download, { 'aria-label': locale.downloadLabel(name), download: name });
      setAttributes(this.#remove, { 'aria-label': locale.deleteLabel(name) });
      setAttributes(this.#name, { title: upload.path ?? name });
      setText(this.#name, name);
      this.#remove.disabled = false;
      setText(this.#error, '');
    }
    this.#upload = upload;
    setAttributes(this.root, {
      'data-id': upload.id,
      'data-status': upload.status,
      'data-ref': upload.ref ?? null,
      'aria-posinset': index + 1,
      'aria-setsize': total,
    });
    this.#select.checked = this.#actions.isSelected(upload.id);
    setAttributes(this.#select, { hidden: upload.status !== 'completed' });
    updateThumb(this.#thumb, upload.thumbnail, name, upload.type);
    const viewable = isViewable(upload);
    setAttributes(this.#view, {
      disabled: !viewable,
      'aria-label': viewable ? locale.viewLabel(name) : null,
      'aria-hidden': viewable ? null : 'true',
      tabindex: viewable ? null : -1,
    });
    setText(this.#folder, folderOf(upload));
    const expectedTotal = upload.expected ?? (upload.status === 'completed' ? upload.size : null);
    const at = upload.completedAt ?? upload.createdAt;
    setText(this.#meta, `${formatBytes(expectedTotal ?? upload.size)} · ${formatRelative(at)}`);
    setAttributes(this.#meta, { title: formatExact(at) });
    // A finished upload needs no bar ("Completed" says it): fewer boxes to draw per row while scrolling.
    const moving = upload.status !== 'completed';
    setAttributes(this.#bar, { hidden: !moving });
    if (moving) {
      setProgress(
        this.#bar,
        expectedTotal === null ? null : expectedTotal === 0 ? 1 : upload.size / expectedTotal,
      );
    }
    setText(this.#status, locale.status[upload.status]);
    // A paused resumable upload says how long it can still be resumed (tus expiration).
    const until = upload.status === 'paused' && upload.expiresAt ? formatExact(upload.expiresAt) : null;
    setText(
      this.#stored,
      moving ? locale.stored(upload.size, upload.expected) + (until ? locale.resumableUntil(until) : '') : '',
    );
    setAttributes(this.#stored, { hidden: !moving });
    const sent = this.#actions.sentHere(upload.ref);
    setText(this.#sent, sent === undefined || !moving ? '' : locale.sentHere(sent));
    setAttributes(this.#sent, { hidden: sent === undefined || !moving });
    setAttributes(this.#digest, { hidden: !upload.sha256 });
    setText(this.#digestText, upload.sha256 ? shortDigest(upload.sha256) : '');
    setAttributes(this.#digestText, { title: upload.sha256 ?? null });
    const href = upload.status === 'completed' && upload.url ? this.#actions.contentUrl(upload.url) : null;
    setAttributes(this.#download, { hidden: !href, href });
    setAttributes(this.#link, { hidden: !href });
    setAttributes(this.#remove, { hidden: upload.status !== 'completed' });
    if (upload.failure) this.#showError(upload.failure);
    else if (!this.#error.textContent) setAttributes(this.#error, { hidden: true });
  }

  #showError(message: string): void {
    setText(this.#error, message);
    setAttributes(this.#error, { hidden: false, title: message });
  }
}
