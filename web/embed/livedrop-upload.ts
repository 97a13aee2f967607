// <livedrop-upload>: a drop-in uploader for other people's pages (docs/embedding.md). It lives in
// the host's own form, uploads each file to livedrop as soon as it is chosen (dropped, picked or
// pasted), shows a preview and progress, and puts the upload ids into the form as hidden inputs named
// after its `name` attribute. Open Shadow DOM, no framework; served at /embed/livedrop-upload.js.
//
// Attributes: server (default: where this module came from), name, multiple, accept, token, required,
// form, disabled, and label-* (embed-labels.ts). Events (bubbling, composed): livedrop-upload-progress,
// livedrop-upload-complete, livedrop-upload-error.
import type { Upload } from '../api-types.js';
import { formatBytes } from '../format.js';
import { LABEL_NAMES, type LabelName, label } from './embed-labels.js';
import { STYLES } from './embed-styles.js';
import { startTransfer, type Transfer } from './embed-transfer.js';
import { guardSubmit, hostForm, idInput } from './host-form.js';
import { checkServer, type ServerCheck } from './server-check.js';

interface Item {
  key: string;
  file: File;
  status: 'uploading' | 'done' | 'failed';
  transfer: Transfer | null;
  upload: Upload | null;
  input: HTMLInputElement | null;
  row: HTMLLIElement;
  progress: HTMLProgressElement;
  statusLine: HTMLElement;
  previewUrl: string | null;
  settled: Promise<void>;
}

const html = String.raw;

export class LivedropUploadElement extends HTMLElement {
  static readonly observedAttributes = ['disabled', 'accept', 'multiple', ...LABEL_NAMES];

  readonly #root: ShadowRoot;
  readonly #items = new Map<string, Item>();
  #check: Promise<ServerCheck> | null = null;
  #detachForm: () => void = () => {};
  #counter = 0;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.innerHTML = html`<style>${STYLES}</style>
      <div part="dropzone" role="group">
        <button part="button" type="button"></button>
        <p part="hint"></p>
        <input type="file" hidden tabindex="-1">
      </div>
      <p part="message" role="alert"></p>
      <ul part="list"></ul>
      <div class="visually-hidden" aria-live="polite"></div>`;
    const zone = this.#part('dropzone');
    this.#part('button').addEventListener('click', () => this.#picker.click());
    this.#picker.addEventListener('change', () => {
      this.#add([...(this.#picker.files ?? [])]);
      this.#picker.value = '';
    });
    // Drag and drop (HTML §6.11): dragover must be cancelled for the drop to be delivered here.
    zone.addEventListener('dragenter', (event) => this.#dragging(event, true));
    zone.addEventListener('dragover', (event) => this.#dragging(event, true));
    zone.addEventListener('dragleave', (event) => {
      if (!zone.contains(event.relatedTarget as Node | null)) zone.removeAttribute('data-dragging');
    });
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.removeAttribute('data-dragging');
      this.#add([...(event.dataTransfer?.files ?? [])]);
    });
    // Paste while focus is inside the element (the button): files from the clipboard, e.g. a screenshot.
    this.#root.addEventListener('paste', (event) => {
      const files = [...((event as ClipboardEvent).clipboardData?.files ?? [])];
      if (files.length === 0) return;
      event.preventDefault();
      this.#add(files);
    });
  }

  connectedCallback(): void {
    this.#render();
    this.#check ??= checkServer(this.server).then((check) => {
      this.#showCheck(check);
      return check;
    });
    const form = hostForm(this);
    if (form) {
      this.#detachForm = guardSubmit(form, {
        running: () => this.#count('uploading'),
        failed: () => this.#count('failed'),
        done: () => this.#count('done'),
        required: () => this.hasAttribute('required'),
        settled: async () => {
          while (this.#count('uploading') > 0) {
            await Promise.all([...this.#items.values()].map((item) => item.settled));
          }
        },
        say: (message, kind) => this.#say(message, kind),
        messages: {
          waiting: (count) => label(this, 'label-waiting', { count }),
          failed: () => label(this, 'label-blocked-failed'),
          required: () => label(this, 'label-required'),
        },
      });
    }
  }

  disconnectedCallback(): void {
    this.#detachForm();
    this.#detachForm = () => {};
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#render();
  }

  /** The livedrop origin: the `server` attribute, or the origin this module was loaded from. */
  get server(): string {
    return (this.getAttribute('server') ?? new URL(import.meta.url).origin).replace(/\/+$/, '');
  }

  get name(): string {
    return this.getAttribute('name') ?? 'uploads';
  }

  /** The finished uploads, in the order they were added. */
  get uploads(): Upload[] {
    return [...this.#items.values()].flatMap((item) => (item.upload ? [item.upload] : []));
  }

  /** Adds files as if dropped (for host scripts). */
  addFiles(files: Iterable<File>): void {
    this.#add([...files]);
  }

  #part<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.#root.querySelector(`[part~="${name}"]`) as T;
  }

  get #picker(): HTMLInputElement {
    return this.#root.querySelector('input[type="file"]') as HTMLInputElement;
  }

  #label(name: LabelName, values?: Record<string, string | number>): string {
    return label(this, name, values);
  }

  #render(): void {
    const button = this.#part<HTMLButtonElement>('button');
    button.textContent = this.#label('label-choose');
    button.disabled = this.hasAttribute('disabled') || button.dataset.refused === 'true';
    this.#part('hint').textContent = this.#label('label-hint');
    this.#part('dropzone').setAttribute('aria-label', this.#label('label-region'));
    this.#picker.multiple = this.hasAttribute('multiple');
    this.#picker.accept = this.getAttribute('accept') ?? '';
  }

  #showCheck(check: ServerCheck): void {
    const values = { origin: location.origin, server: this.server };
    if (check.kind === 'ok') {
      if (check.config.auth && !this.getAttribute('token')) this.#say(this.#label('label-token-needed'));
      return;
    }
    const button = this.#part<HTMLButtonElement>('button');
    button.dataset.refused = 'true';
    button.disabled = true;
    this.setAttribute('data-state', check.kind);
    this.#say(
      this.#label(check.kind === 'origin-refused' ? 'label-origin-refused' : 'label-unreachable', values),
    );
  }

  #say(message: string, kind: 'waiting' | 'blocked' | '' = 'blocked'): void {
    const line = this.#part('message');
    line.textContent = message;
    line.dataset.kind = kind;
  }

  #announce(message: string): void {
    const region = this.#root.querySelector('[aria-live]') as HTMLElement;
    const line = document.createElement('p');
    line.textContent = message;
    region.append(line);
    while (region.childElementCount > 5) region.firstElementChild?.remove();
  }

  #dragging(event: DragEvent, on: boolean): void {
    if (this.hasAttribute('disabled') || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    if (on) this.#part('dropzone').setAttribute('data-dragging', '');
  }

  #count(status: Item['status']): number {
    let n = 0;
    for (const item of this.#items.values()) if (item.status === status) n++;
    return n;
  }

  #add(files: File[]): void {
    if (files.length === 0 || this.hasAttribute('disabled')) return;
    if (this.#part<HTMLButtonElement>('button').dataset.refused === 'true') return;
    // Without `multiple` the element holds one file: a new one replaces it.
    if (!this.hasAttribute('multiple')) {
      for (const item of this.#items.values()) this.#remove(item, false);
      files = files.slice(0, 1);
    }
    this.#say('');
    for (const file of files) void this.#start(file);
  }

  async #start(file: File): Promise<void> {
    const key = `f${++this.#counter}`;
    const item = this.#row(key, file);
    this.#items.set(key, item);
    let settle = () => {};
    item.settled = new Promise((resolve) => {
      settle = resolve;
    });
    const check = await this.#check;
    if (!this.#items.has(key)) return settle();
    if (check?.kind === 'ok' && file.size > check.config.maxFileSize) {
      this.#failed(
        item,
        413,
        this.#label('label-too-large', { limit: formatBytes(check.config.maxFileSize) }),
      );
      return settle();
    }
    item.transfer = startTransfer(
      {
        server: this.server,
        token: this.getAttribute('token'),
        file,
        ref: `embed-${crypto.randomUUID()}`,
        resumable:
          check?.kind === 'ok' && check.config.resumableThreshold !== undefined
            ? {
                threshold: check.config.resumableThreshold,
                chunkSize: check.config.tusChunkSize ?? 8 * 1024 ** 2,
              }
            : null,
      },
      {
        progress: (sent) => {
          item.progress.value = sent;
          this.#emit('livedrop-upload-progress', { file, sent, total: file.size });
        },
        offline: (waiting) => {
          item.row.dataset.offline = String(waiting);
          item.statusLine.textContent = this.#label(waiting ? 'label-offline' : 'label-uploading');
        },
      },
    );
    const outcome = await item.transfer.outcome;
    item.transfer = null;
    if (outcome.kind === 'done' && this.#items.has(key)) this.#done(item, outcome.upload);
    else if (outcome.kind === 'failed' && this.#items.has(key))
      this.#failed(item, outcome.status, outcome.message);
    settle();
  }

  #row(key: string, file: File): Item {
    const row = document.createElement('li');
    row.setAttribute('part', 'item');
    row.dataset.key = key;
    row.dataset.status = 'uploading';
    let preview: HTMLElement;
    let previewUrl: string | null = null;
    if (/^image\/(png|jpeg|gif|webp|avif)$/.test(file.type)) {
      previewUrl = URL.createObjectURL(file);
      const img = document.createElement('img');
      img.src = previewUrl;
      img.alt = '';
      // A file that claims to be an image but does not decode gets the type badge instead.
      img.addEventListener('error', () => img.replaceWith(this.#badge(file)), { once: true });
      preview = img;
    } else {
      preview = this.#badge(file);
    }
    preview.setAttribute('part', 'preview');
    const name = document.createElement('span');
    name.setAttribute('part', 'name');
    name.textContent = `${file.name} (${formatBytes(file.size)})`;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.setAttribute('part', 'remove');
    remove.textContent = '×';
    remove.setAttribute('aria-label', this.#label('label-remove', { name: file.name }));
    const progress = document.createElement('progress');
    progress.setAttribute('part', 'progress');
    progress.max = Math.max(1, file.size);
    progress.value = 0;
    progress.setAttribute('aria-label', file.name);
    const statusLine = document.createElement('span');
    statusLine.setAttribute('part', 'status');
    statusLine.textContent = this.#label('label-uploading');
    row.append(preview, name, remove, progress, statusLine);
    this.#part('list').append(row);
    const item: Item = {
      key,
      file,
      status: 'uploading',
      transfer: null,
      upload: null,
      input: null,
      row,
      progress,
      statusLine,
      previewUrl,
      settled: Promise.resolve(),
    };
    remove.addEventListener('click', () => this.#remove(item, true));
    return item;
  }

  #badge(file: File): HTMLElement {
    const badge = document.createElement('span');
    badge.setAttribute('part', 'preview');
    badge.setAttribute('aria-hidden', 'true');
    const extension = file.name.includes('.') ? file.name.split('.').pop()! : '';
    badge.textContent = extension.slice(0, 4).toUpperCase() || 'FILE';
    return badge;
  }

  #done(item: Item, upload: Upload): void {
    item.status = 'done';
    item.upload = upload;
    item.row.dataset.status = 'done';
    item.row.dataset.uploadId = upload.id;
    item.progress.value = item.progress.max;
    item.statusLine.textContent = this.#label('label-done');
    item.input = idInput(this, this.name, upload.id);
    // The form lists ids in the order the files were added, whichever finished first.
    this.append(...[...this.#items.values()].flatMap((each) => (each.input ? [each.input] : [])));
    this.#announce(this.#label('label-announce-done', { name: item.file.name }));
    this.#emit('livedrop-upload-complete', { file: item.file, upload });
  }

  #failed(item: Item, status: number, message: string): void {
    item.status = 'failed';
    item.row.dataset.status = 'failed';
    item.statusLine.textContent = this.#label('label-failed', { message });
    this.#announce(this.#label('label-announce-failed', { name: item.file.name, message }));
    this.#emit('livedrop-upload-error', { file: item.file, status, message });
  }

  /** Leaves the file out of the form (and stops its upload). The stored file, if any, stays on livedrop. */
  #remove(item: Item, byVisitor: boolean): void {
    item.transfer?.abort();
    item.input?.remove();
    if (item.previewUrl) URL.revokeObjectURL(item.previewUrl);
    const next = item.row.nextElementSibling ?? item.row.previousElementSibling;
    item.row.remove();
    this.#items.delete(item.key);
    if (!byVisitor) return;
    this.#announce(this.#label('label-announce-removed', { name: item.file.name }));
    // Keep keyboard focus in the list instead of dropping it on <body>.
    const focusTarget =
      (next?.querySelector('[part~="remove"]') as HTMLElement | null) ?? this.#part('button');
    focusTarget.focus();
  }

  #emit(type: string, detail: object): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

if (!customElements.get('livedrop-upload')) customElements.define('livedrop-upload', LivedropUploadElement);

declare global {
  interface HTMLElementTagNameMap {
    'livedrop-upload': LivedropUploadElement;
  }
}
