// Writes one stream of bytes into a file: the hot path of every upload on local disk, so it stays
// lean. Chunks go straight to the file descriptor, queued chunks are written together with one
// writev(2) at an explicit position, and nothing is copied (the caller hashes the same buffers). The
// caller pauses its source when push() returns false and resumes on `drain`, so memory is bounded by
// PAUSE_AT, not by file size.
import { close, fstat, fsync, ftruncate, open, unlink, writev } from 'node:fs';
import type { BlobWriter, BlobWriterEvents } from '../storage.js';

/** Bytes queued (not yet handed to the kernel) at which the source should pause. */
const PAUSE_AT = 1024 * 1024;

export interface FileWriterOptions {
  /**
   * `create`: a new file ('wx': ids are unique, never reuse one), removed again by destroy().
   * `append`: an existing file whose length must be `offset`; destroy() keeps what was written.
   */
  mode: 'create' | 'append';
  /** Where the first byte goes (0 for `create`). */
  offset: number;
}

export class FileWriter implements BlobWriter {
  readonly path: string;
  /** Bytes the file system acknowledged, from byte 0 of the file. */
  written: number;
  readonly #mode: FileWriterOptions['mode'];
  readonly #events: BlobWriterEvents;
  #fd: number | null = null;
  #opening: Promise<void>;
  #queue: Buffer[] = [];
  #queued = 0;
  #writing = false;
  #paused = false;
  #failed = false;
  /** Where this writer's first byte went: abandon() cuts an append back to it. */
  readonly #start: number;
  /** This writer made the file (so destroy() may unlink it). */
  #created = false;
  /** Resolved when nothing is queued or in flight: finish() and destroy() wait for it. */
  #onIdle: (() => void) | null = null;

  /** Opens the file at once; pushes before it is open are queued, a failing open is an error event. */
  constructor(path: string, { mode, offset }: FileWriterOptions, events: BlobWriterEvents) {
    this.path = path;
    this.written = offset;
    this.#start = offset;
    this.#mode = mode;
    this.#events = events;
    this.#opening = this.#open(offset);
  }

  #open(offset: number): Promise<void> {
    return new Promise((resolve) => {
      open(this.path, this.#mode === 'create' ? 'wx' : 'r+', 0o640, (error, fd) => {
        if (error) {
          this.#fail(error);
          return resolve();
        }
        const ready = () => {
          this.#fd = fd;
          this.#created = this.#mode === 'create';
          if (this.#queued > 0 && !this.#failed) this.#flush();
          resolve();
        };
        if (this.#mode === 'create') return ready();
        // An append must start where the file ends: anything else would leave a hole or overwrite.
        fstat(fd, (statError, stats) => {
          if (statError || stats.size !== offset) {
            close(fd, () => {});
            this.#fail(statError ?? offsetMismatch(offset, stats.size));
            return resolve();
          }
          ready();
        });
      });
    });
  }

  push(chunk: Buffer): boolean {
    if (this.#failed) return true;
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
    writev(this.#fd!, chunks, this.written, (error, count) => {
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

  #fail(error: Error): void {
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

  /** Waits for the last write, fsyncs and closes. Resolves with the file's length. */
  async finish(): Promise<number> {
    await this.#opening;
    await this.#idle();
    if (this.#failed || this.#fd === null) throw new Error('file write failed');
    const fd = this.#fd;
    this.#fd = null;
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
    } finally {
      await closeFd(fd);
    }
    return this.written;
  }

  /** Drops queued bytes, waits for any write in flight (its fd must not be reused under it), closes; a created file is unlinked. */
  async destroy(): Promise<void> {
    this.#failed = true;
    this.#queue = [];
    this.#queued = 0;
    await this.#opening;
    await this.#idle();
    if (this.#fd !== null) {
      const fd = this.#fd;
      this.#fd = null;
      // An append keeps what reached the file; make it as durable as a finished one.
      if (this.#mode === 'append') await new Promise<void>((resolve) => fsync(fd, () => resolve()));
      await closeFd(fd);
    }
    if (this.#created) await new Promise<void>((resolve) => unlink(this.path, () => resolve()));
  }

  /** Undoes this writer: an append's file is cut back to where it began (and fsynced), a created one removed. */
  async abandon(): Promise<void> {
    if (this.#mode === 'create') return this.destroy();
    this.#failed = true;
    this.#queue = [];
    this.#queued = 0;
    await this.#opening;
    await this.#idle();
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      await new Promise<void>((resolve, reject) =>
        ftruncate(fd, this.#start, (error) => (error ? reject(error) : resolve())),
      );
      await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
    } finally {
      await closeFd(fd);
    }
  }
}

const closeFd = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()));

function offsetMismatch(offset: number, size: number): Error {
  return Object.assign(new Error(`append at ${offset} but the blob holds ${size} bytes`), {
    code: 'OFFSET_MISMATCH',
  });
}
