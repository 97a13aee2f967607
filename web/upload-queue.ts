// This browser's uploads: each file gets a preview, waits for a free slot (a few requests run in
// parallel, the rest queue), is sent, and ends done, failed or cancelled. Network failures are retried
// with exponential backoff; refusals (4xx) are final, since sending the same bytes again cannot help.
// A failure while the browser is offline is not counted: the file waits for the network instead.

import { isFinalRefusal, isRetryable } from './api-error.js';
import { type ApiTarget, apiUrl, authHeaders } from './api-target.js';
import type { ServerConfig, Upload } from './api-types.js';
import { backoffDelay, uploadBackoff } from './backoff.js';
import { locale } from './locale.js';
import { estimateSeconds, SpeedMeter } from './speed.js';
import type { RunningUpload, sendFile } from './xhr-upload.js';

export type LocalStatus =
  | 'preparing'
  | 'queued'
  | 'uploading'
  | 'processing'
  | 'waiting'
  | 'done'
  | 'failed'
  | 'cancelled';

export interface LocalUpload {
  /** The X-Upload-Ref of this file's requests: how dashboard rows are matched to local files. */
  ref: string;
  file: File;
  status: LocalStatus;
  /** File bytes this browser has sent in the current attempt. */
  sent: number;
  bytesPerSecond: number | undefined;
  etaSeconds: number | undefined;
  thumbnail: string | null;
  error: string | null;
  /** Failed attempts so far in the current run of automatic retries. */
  failures: number;
  /** When the next automatic retry starts (ms since epoch), while status is 'waiting'; null: when the network is back. */
  retryAt: number | null;
  /** Failed for good (isFinalRefusal, or larger than the server takes): no Retry is offered. */
  final: boolean;
  upload: Upload | null;
}

export interface QueueOptions {
  target: ApiTarget;
  concurrency: number;
  /** Automatic retries after network failures before the user is asked to press Retry. */
  maxAutoRetries: number;
  /** Sends one file (xhr-upload.ts's sendFile; a stand-in in unit tests). */
  send: typeof sendFile;
  makeThumbnail(file: File): Promise<string | null>;
  /** Fetches GET /api/config afresh; null when the server cannot be reached. */
  refreshConfig(): Promise<ServerConfig | null>;
  /** navigator.onLine: false when the browser has no network at all (then online() is called once it is back). */
  isOnline(): boolean;
  changed(item: LocalUpload): void;
}

const finished = new Set<LocalStatus>(['done', 'failed', 'cancelled']);

/** Whether the visitor may send the file again: it stopped (failed, cancelled, waiting) and not for good. */
export const canRetry = (item: LocalUpload): boolean =>
  (item.status === 'failed' && !item.final) || item.status === 'cancelled' || item.status === 'waiting';

function newRef(): string {
  // crypto.randomUUID() needs a secure context; getRandomValues works on plain-http LAN hosts too.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `ld-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class UploadQueue {
  readonly #options: QueueOptions;
  readonly #items = new Map<string, LocalUpload>();
  readonly #running = new Map<string, RunningUpload>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #speeds = new Map<string, SpeedMeter>();

  constructor(options: QueueOptions) {
    this.#options = options;
  }

  get items(): LocalUpload[] {
    return [...this.#items.values()];
  }

  get(ref: string): LocalUpload | undefined {
    return this.#items.get(ref);
  }

  add(files: readonly File[]): LocalUpload[] {
    const added = files.map((file) => {
      const item: LocalUpload = {
        ref: newRef(),
        file,
        status: 'preparing',
        sent: 0,
        bytesPerSecond: undefined,
        etaSeconds: undefined,
        thumbnail: null,
        error: null,
        failures: 0,
        retryAt: null,
        final: false,
        upload: null,
      };
      this.#items.set(item.ref, item);
      this.#options.changed(item);
      return item;
    });
    for (const item of added) void this.#prepare(item);
    return added;
  }

  cancel(ref: string): void {
    const item = this.#items.get(ref);
    if (!item || finished.has(item.status)) return;
    this.#stopRetryTimer(ref);
    this.#update(item, {
      status: 'cancelled',
      retryAt: null,
      bytesPerSecond: undefined,
      etaSeconds: undefined,
    });
    // abort() resolves the request's outcome as 'aborted', which frees the slot.
    this.#running.get(ref)?.abort();
    this.#pump();
  }

  /** The network is back (the window's `online` event): every waiting file goes again now. */
  online(): void {
    for (const item of this.#items.values()) {
      if (item.status !== 'waiting') continue;
      this.#stopRetryTimer(item.ref);
      this.#update(item, { status: 'queued', retryAt: null });
    }
    this.#pump();
  }

  retry(ref: string): void {
    const item = this.#items.get(ref);
    if (!item || !canRetry(item)) return;
    this.#stopRetryTimer(ref);
    this.#update(item, { status: 'queued', error: null, failures: 0, retryAt: null, sent: 0 });
    this.#pump();
  }

  remove(ref: string): void {
    const item = this.#items.get(ref);
    if (!item) return;
    if (!finished.has(item.status)) this.cancel(ref);
    this.#items.delete(ref);
    this.#speeds.delete(ref);
  }

  async #prepare(item: LocalUpload): Promise<void> {
    const thumbnail = await this.#options.makeThumbnail(item.file).catch(() => null);
    if (item.status !== 'preparing') return;
    this.#update(item, { thumbnail, status: 'queued' });
    this.#pump();
  }

  #pump(): void {
    for (const item of this.#items.values()) {
      if (this.#running.size >= this.#options.concurrency) return;
      if (item.status === 'queued') void this.#send(item);
    }
  }

  async #send(item: LocalUpload): Promise<void> {
    const speed = new SpeedMeter();
    this.#speeds.set(item.ref, speed);
    speed.sample(0, performance.now());
    this.#update(item, {
      status: 'uploading',
      sent: 0,
      error: null,
      bytesPerSecond: undefined,
      etaSeconds: undefined,
    });

    const running = this.#options.send(
      {
        url: apiUrl(this.#options.target, '/api/uploads'),
        file: item.file,
        thumbnail: item.thumbnail,
        ref: item.ref,
        headers: authHeaders(this.#options.target),
      },
      {
        progress: (sent) => {
          if (item.status !== 'uploading') return;
          speed.sample(sent, performance.now());
          const bytesPerSecond = speed.bytesPerSecond;
          this.#update(item, {
            sent,
            bytesPerSecond,
            etaSeconds: estimateSeconds(item.file.size - sent, bytesPerSecond),
          });
        },
        processing: () => {
          if (item.status === 'uploading') {
            this.#update(item, { status: 'processing', bytesPerSecond: undefined, etaSeconds: undefined });
          }
        },
      },
    );
    this.#running.set(item.ref, running);
    const outcome = await running.outcome;
    this.#running.delete(item.ref);

    if (item.status === 'cancelled') {
      // Already shown as cancelled; nothing else to do.
    } else if (outcome.kind === 'done') {
      this.#update(item, { status: 'done', sent: item.file.size, upload: outcome.upload, error: null });
    } else if (outcome.kind === 'refused' && !isRetryable(outcome.status)) {
      this.#update(item, { status: 'failed', error: outcome.message, final: isFinalRefusal(outcome.status) });
      // A refusal the checks did not predict means the server's limits changed: learn the new ones.
      void this.#options.refreshConfig();
    } else if (outcome.kind === 'aborted') {
      this.#update(item, { status: 'cancelled' });
    } else {
      await this.#failedToReach(item, outcome.kind === 'refused' ? outcome.message : locale.networkError);
    }
    this.#pump();
  }

  /** A network error or a 5xx. A server that refuses an oversized body with 413 and closes the
   *  connection before reading it looks exactly like a network error to the browser, so the file is
   *  checked against the server's (freshly fetched) limit and the server's own message is shown. */
  async #failedToReach(item: LocalUpload, reason: string): Promise<void> {
    const config = await this.#options.refreshConfig();
    if (item.status === 'cancelled') return;
    if (config && item.file.size > config.maxFileSize) {
      this.#update(item, { status: 'failed', error: locale.fileTooLarge(config.maxFileSize), final: true });
      return;
    }
    if (!this.#options.isOnline()) {
      this.#update(item, { status: 'waiting', error: reason, retryAt: null });
      return;
    }
    const failures = item.failures + 1;
    if (failures > this.#options.maxAutoRetries) {
      this.#update(item, { status: 'failed', failures, error: `${reason}. ${locale.gaveUp}` });
      return;
    }
    const delay = backoffDelay(failures - 1, uploadBackoff);
    this.#update(item, { status: 'waiting', failures, error: reason, retryAt: Date.now() + delay });
    this.#timers.set(
      item.ref,
      setTimeout(() => {
        this.#timers.delete(item.ref);
        if (item.status !== 'waiting') return;
        this.#update(item, { status: 'queued', retryAt: null });
        this.#pump();
      }, delay),
    );
  }

  #stopRetryTimer(ref: string): void {
    clearTimeout(this.#timers.get(ref));
    this.#timers.delete(ref);
  }

  #update(item: LocalUpload, changes: Partial<LocalUpload>): void {
    Object.assign(item, changes);
    this.#options.changed(item);
  }
}
