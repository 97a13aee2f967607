// This browser's "sent" byte count for one file, from xhr.upload.onprogress. The event reports the
// whole multipart body (boundaries, the size and thumbnail fields, headers), so it is scaled to the
// file's own size; it never goes backwards (browsers may re-report or reset counts on redirects and
// retries), and events that arrive after abort() are ignored (as Uppy guards against).

export class SentBytes {
  readonly fileSize: number;
  #sent = 0;
  #frozen = false;

  constructor(fileSize: number) {
    this.fileSize = fileSize;
  }

  get value(): number {
    return this.#sent;
  }

  /** Apply a progress event (`loaded` of `total` body bytes); returns the file bytes sent so far. */
  update(loaded: number, total: number): number {
    if (this.#frozen || !(total > 0) || !(loaded >= 0)) return this.#sent;
    const scaled = Math.floor((Math.min(loaded, total) / total) * this.fileSize);
    if (scaled > this.#sent) this.#sent = scaled;
    return this.#sent;
  }

  /** The whole body went out: count the file as fully sent. */
  finish(): number {
    if (!this.#frozen) this.#sent = this.fileSize;
    return this.#sent;
  }

  /** After abort (or a failure) late progress events change nothing. */
  freeze(): void {
    this.#frozen = true;
  }
}
