// Writes one incoming file to its temp file: the hot path of every upload, so it stays lean. Chunks
// go straight to the file descriptor, queued chunks are written together with one writev(2), the
// SHA-256 is updated on the same buffers, and nothing is copied. The caller pauses its source when
// push() returns false and resumes on `drain`, so memory is bounded by PAUSE_AT, not by file size.
import { createHash, type Hash } from 'node:crypto';
import { close, fsync, open, unlink, writev } from 'node:fs';

/** Bytes queued (not yet handed to the kernel) at which the source should pause. */
const PAUSE_AT = 1024 * 1024;

export interface TempFileEvents {
  /** After the file system acknowledged a write; `total` is the byte count now on disk. */
  written(total: number): void;
  /** The queue went below PAUSE_AT again: the source may resume. */
  drain(): void;
  /** A write failed (ENOSPC, EIO…); later pushes are dropped. */
  error(error: NodeJS.ErrnoException): void;
}

export class TempFileWriter {
  readonly path: string;
  /** Bytes received so far (queued or written). */
  received = 0;
  /** Bytes the file system acknowledged. */
  written = 0;
  readonly #hash: Hash | null;
  readonly #events: TempFileEvents;
  #fd: number | null = null;
  #opening: Promise<void> | null = null;
  #queue: Buffer[] = [];
  #queued = 0;
  #writing = false;
  #paused = false;
  #failed = false;
  /** Resolved when nothing is queued or in flight: finish() and destroy() wait for it. */
  #onIdle: (() => void) | null = null;

  constructor(path: string, checksum: boolean, events: TempFileEvents) {
    this.path = path;
    this.#hash = checksum ? createHash('sha256') : null;
    this.#events = events;
  }

  /** Opens the temp file; pushes before it is open are queued. 'wx': ids are unique, never reuse a file. */
  open(): Promise<void> {
    this.#opening = new Promise((resolve, reject) => {
      open(this.path, 'wx', 0o640, (error, fd) => {
        if (error) {
          this.#fail(error);
          return reject(error);
        }
        this.#fd = fd;
        if (this.#queued > 0 && !this.#failed) this.#flush();
        resolve();
      });
    });
    return this.#opening;
  }

  /** Queues a chunk; false means "pause until drain". */
  push(chunk: Buffer): boolean {
    if (this.#failed) return true;
    this.#hash?.update(chunk);
    this.received += chunk.length;
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (!this.#writing && this.#fd !== null) this.#flush();
    if (this.#queued < PAUSE_AT) return true;
    this.#paused = true;
    return false;
  }

  #flush(): void {
    const chunks = this.#queue;
    const bytes = this.#queued;
    this.#queue = [];
    this.#queued = 0;
    this.#writing = true;
    writev(this.#fd!, chunks, (error, count) => {
      this.#writing = false;
      if (error) return this.#fail(error);
      if (this.#failed) return this.#settle(); // destroyed while this write was in flight
      this.written += count;
      // writev(2) may write less than asked (a regular file only does so when the disk fills up):
      // put the rest back in front; the retry then reports the real error.
      if (count < bytes) this.#requeue(chunks, count, bytes - count);
      this.#events.written(this.written);
      if (this.#queued > 0) this.#flush();
      else this.#settle();
      if (this.#paused && this.#queued < PAUSE_AT) {
        this.#paused = false;
        this.#events.drain();
      }
    });
  }

  #requeue(chunks: Buffer[], skip: number, rest: number): void {
    const remaining: Buffer[] = [];
    for (const chunk of chunks) {
      if (skip >= chunk.length) skip -= chunk.length;
      else {
        remaining.push(skip > 0 ? chunk.subarray(skip) : chunk);
        skip = 0;
      }
    }
    this.#queue = [...remaining, ...this.#queue];
    this.#queued += rest;
  }

  #fail(error: NodeJS.ErrnoException): void {
    const first = !this.#failed;
    this.#failed = true;
    this.#queue = [];
    this.#queued = 0;
    this.#settle();
    if (first) this.#events.error(error);
  }

  #settle(): void {
    const onIdle = this.#onIdle;
    this.#onIdle = null;
    onIdle?.();
  }

  #idle(): Promise<void> {
    if (!this.#writing && (this.#queued === 0 || this.#failed)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  /** Waits for the last write, fsyncs and closes. Resolves with the hex SHA-256 (or undefined). */
  async finish(): Promise<string | undefined> {
    await this.#opening;
    await this.#idle();
    if (this.#failed || this.#fd === null) throw new Error('temp file failed');
    const fd = this.#fd;
    this.#fd = null;
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
    } finally {
      await closeFd(fd);
    }
    return this.#hash?.digest('hex');
  }

  /** Drops queued bytes, waits for any write in flight (its fd must not be reused under it), closes, unlinks. */
  async destroy(): Promise<void> {
    this.#failed = true;
    this.#queue = [];
    this.#queued = 0;
    await this.#opening?.catch(() => {});
    await this.#idle();
    if (this.#fd !== null) {
      const fd = this.#fd;
      this.#fd = null;
      await closeFd(fd);
    }
    await new Promise<void>((resolve) => unlink(this.path, () => resolve()));
  }
}

const closeFd = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()));
