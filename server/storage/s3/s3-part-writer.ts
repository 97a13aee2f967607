// One stream of bytes into S3 as multipart-upload parts: the S3 counterpart of local/file-writer.ts.
// Pushed chunks are copied into part buffers (`partSize`, at least S3's 5 MiB minimum; at most
// `queueDepth` of them, each filling or uploading: s3-part-buffers.ts), at most `queueDepth` parts
// upload at once, and push() returns false once every buffer is full: memory per writer stays under
// queueDepth parts + 128 KiB, whatever the file size. (With queueDepth 1 a second buffer, filling
// while one uploads, would double that for little: S3 is the bottleneck, and the kernel's socket
// buffers keep the client sending while a part uploads.)
//
//   staged   a new object: a short blob is one PutObject at finish(); a longer one a multipart upload
//            created with its first part and completed at finish(). The object is invisible to the
//            API until commit() writes its record.
//   append   more bytes for a resumable upload's multipart upload, starting at its durable offset:
//            the parts S3 lists plus the tail object (bytes short of a part, tusd's `.part`). The tail
//            is read back into the first new part; what is left over at finish() becomes the new
//            tail, marked with the number of the part it follows, so a tail already absorbed by a
//            later part (a crash between the two writes) is recognised as stale and not counted.
import {
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { BlobWriter, BlobWriterEvents } from '../storage.js';
import { s3Failure } from './s3-errors.js';
import { PartBuffers } from './s3-part-buffers.js';

export interface PartWriterTarget {
  client: S3Client;
  bucket: string;
  key: string;
  partSize: number;
  queueDepth: number;
}

/** Where an append starts: found by the blob store before the writer takes bytes. */
export interface AppendStart {
  uploadId: string;
  /** Parts S3 already holds, and their total size. */
  partCount: number;
  partBytes: number;
  /** The tail's bytes (to be sent again as the start of the next part) and its key. */
  tail: Buffer;
  tailKey: string;
}

type Mode = { kind: 'staged' } | { kind: 'append'; start: Promise<AppendStart> };

export class S3PartWriter implements BlobWriter {
  readonly #target: PartWriterTarget;
  readonly #mode: Mode;
  readonly #events: BlobWriterEvents;
  readonly #abort = new AbortController();
  #ready = false;
  #uploadId: Promise<string> | null = null;
  /** Chunks pushed before an append knows its start (the tail goes first). */
  #early: Buffer[] = [];
  #earlyBytes = 0;
  #waiting: { number: number; body: Buffer }[] = [];
  #partHandler: ReturnType<UploadPartCommand['resolveMiddleware']> | null = null;
  readonly #buffers: PartBuffers;
  #inFlight = 0;
  #nextPart = 1;
  readonly #parts: CompletedPart[] = [];
  /** Bytes in acknowledged parts (an append: including the parts that were there before). */
  #partBytes = 0;
  /** An append's tail bytes still counted as durable in the tail object (until a part holds them). */
  #tailBytes = 0;
  #tailKey = '';
  /** The part that carries the old tail's last byte: once it is stored, the tail is absorbed. */
  #tailAbsorbedBy = 0;
  /** Bytes taken so far, from byte 0 of the blob: what `written` reports (see push()). */
  #accepted = 0;
  #paused = false;
  #failure: Error | null = null;
  #destroyed = false;
  #putStarted = false;
  #onIdle: (() => void)[] = [];
  /** Settles when an append's start is known (or failed). */
  readonly #started: Promise<void>;

  constructor(target: PartWriterTarget, mode: Mode, events: BlobWriterEvents) {
    this.#target = target;
    this.#mode = mode;
    this.#events = events;
    this.#buffers = new PartBuffers(target.partSize, target.queueDepth, (body) => {
      const number = this.#nextPart++;
      if (this.#tailBytes > 0 && this.#tailAbsorbedBy === 0) this.#tailAbsorbedBy = number;
      this.#waiting.push({ number, body });
    });
    this.#started = mode.kind === 'staged' ? Promise.resolve() : this.#startAppend(mode.start);
    if (mode.kind === 'staged') this.#ready = true;
  }

  async #startAppend(start: Promise<AppendStart>): Promise<void> {
    try {
      const { uploadId, partCount, partBytes, tail, tailKey } = await start;
      this.#uploadId = Promise.resolve(uploadId);
      this.#nextPart = partCount + 1;
      this.#partBytes = partBytes;
      this.#tailKey = tailKey;
      this.#tailBytes = tail.length;
      this.#ready = true;
      for (const chunk of [tail, ...this.#early.splice(0)]) this.#buffers.take(chunk);
      this.#accepted = partBytes + tail.length + this.#earlyBytes;
      if (this.#earlyBytes > 0) this.#events.written(this.#accepted);
      this.#earlyBytes = 0;
      this.#pump();
      this.#checkDrain();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  get #stored(): number {
    return this.#partBytes + this.#tailBytes;
  }

  push(chunk: Buffer): boolean {
    if (this.#failure || this.#destroyed) return true;
    if (this.#ready) {
      this.#buffers.take(chunk);
      // Progress counts bytes the writer has taken into its bounded part buffer, as the local writer
      // counts bytes the kernel has taken: durable only at finish() either way. Reporting only
      // stored parts would show nothing for files under one part (5 MiB and more).
      this.#accepted += chunk.length;
      this.#events.written(this.#accepted);
      this.#pump();
    } else {
      this.#early.push(chunk);
      this.#earlyBytes += chunk.length;
    }
    if (this.#mustPause()) {
      this.#paused = true;
      return false;
    }
    return true;
  }

  #mustPause(): boolean {
    return this.#buffers.saturated || this.#earlyBytes >= this.#target.partSize;
  }

  #checkDrain(): void {
    if (this.#paused && !this.#mustPause() && !this.#failure) {
      this.#paused = false;
      this.#events.drain();
    }
  }

  #pump(): void {
    while (this.#inFlight < this.#target.queueDepth && this.#waiting.length > 0 && !this.#failure) {
      const part = this.#waiting.shift()!;
      this.#inFlight++;
      this.#uploadPart(part.number, part.body).then(
        (etag) => {
          this.#inFlight--;
          if (this.#failure) return this.#settle();
          this.#parts.push({ PartNumber: part.number, ETag: etag });
          this.#partBytes += part.body.length;
          if (part.number === this.#tailAbsorbedBy) this.#tailBytes = 0;
          this.#buffers.free(part.body);
          this.#pump();
          this.#checkDrain();
          this.#settle();
        },
        (error: Error) => {
          this.#inFlight--;
          this.#fail(error);
        },
      );
    }
    this.#checkDrain();
  }

  #multipartUpload(): Promise<string> {
    this.#uploadId ??= this.#target.client
      .send(new CreateMultipartUploadCommand({ Bucket: this.#target.bucket, Key: this.#target.key }), {
        abortSignal: this.#abort.signal,
      })
      .then(({ UploadId }) => UploadId!);
    return this.#uploadId;
  }

  /** Whether this writer sent anything to S3 (a part, a multipart upload, the small-file put): else nothing to clean up. */
  get touchedS3(): boolean {
    return this.#uploadId !== null || this.#putStarted;
  }

  /** The multipart upload this writer created or appends to, if any (for clean-up). */
  async uploadId(): Promise<string | null> {
    return this.#uploadId ? this.#uploadId.catch(() => null) : null;
  }

  async #uploadPart(number: number, body: Buffer): Promise<string> {
    const { client, bucket, key } = this.#target;
    const uploadId = await this.#multipartUpload();
    const command = new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: number,
      Body: body,
      ContentLength: body.length,
    });
    // What client.send() does, but with the middleware stack resolved once per writer, not once
    // per part: each resolution's garbage reached V8's old generation, ~8 KiB a part, ~6 MiB per
    // 4 GiB uploaded, freed only by a full collection (issue 11; the SDK's cacheMiddleware reuses a
    // resolved stack the same way, but per client, without a per-call abort signal).
    this.#partHandler ??= command.resolveMiddleware(client.middlewareStack, client.config, {
      abortSignal: this.#abort.signal,
    });
    const { output } = await this.#partHandler(command);
    return output.ETag!;
  }

  #fail(error: Error): void {
    const first = this.#failure === null;
    this.#failure ??= s3Failure(error);
    this.#buffers.clear();
    this.#early = [];
    this.#waiting = [];
    this.#settle();
    if (first && !this.#destroyed) this.#events.error(this.#failure);
  }

  /** Wakes finish() and destroy() once no request is out and nothing (or, after a failure, nothing more) is to be sent. */
  #settle(): void {
    if (this.#inFlight > 0 || (this.#waiting.length > 0 && !this.#failure)) return;
    for (const resolve of this.#onIdle.splice(0)) resolve();
  }

  #idle(): Promise<void> {
    if (this.#inFlight === 0 && (this.#waiting.length === 0 || this.#failure)) return Promise.resolve();
    return new Promise((resolve) => this.#onIdle.push(resolve));
  }

  async finish(): Promise<number> {
    await this.#started;
    this.#pump();
    await this.#idle();
    if (this.#failure) throw this.#failure;
    try {
      if (this.#mode.kind === 'staged') await this.#finishStaged();
      else await this.#finishAppend();
    } catch (error) {
      this.#fail(error as Error);
      throw this.#failure;
    }
    return this.#stored;
  }

  async #finishStaged(): Promise<void> {
    const { client, bucket, key } = this.#target;
    const signal = { abortSignal: this.#abort.signal };
    const rest = this.#buffers.rest();
    if (this.#uploadId === null) {
      // Shorter than a part: one request.
      this.#putStarted = true;
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: rest, ContentLength: rest.length }),
        signal,
      );
      this.#partBytes = rest.length;
    } else {
      if (rest.length > 0) {
        const number = this.#nextPart++;
        this.#parts.push({ PartNumber: number, ETag: await this.#uploadPart(number, rest) });
        this.#partBytes += rest.length;
      }
      this.#parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: await this.#uploadId,
          MultipartUpload: { Parts: this.#parts },
        }),
        signal,
      );
    }
    this.#buffers.clear();
    this.#events.written(this.#stored);
  }

  async #finishAppend(): Promise<void> {
    const { client, bucket } = this.#target;
    const signal = { abortSignal: this.#abort.signal };
    const rest = this.#buffers.rest();
    // Bytes short of a part (maybe none): the new tail, marking the last part this append made
    // durable. Written last, it commits the append's parts (s3-resumable-uploads.ts state()).
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: this.#tailKey,
        Body: rest,
        ContentLength: rest.length,
        Metadata: { 'after-part': String(this.#nextPart - 1) },
      }),
      signal,
    );
    this.#tailBytes = rest.length;
    this.#buffers.clear();
    this.#events.written(this.#stored);
  }

  /**
   * Undoes this writer (a tus chunk that failed its checksum): a staged blob is destroyed; an append
   * puts the tail back as it was, which also marks the parts this append uploaded as not counting.
   */
  async abandon(): Promise<void> {
    await this.destroy();
    if (this.#mode.kind === 'staged') return;
    const start = await this.#mode.start.catch(() => null);
    if (!start || this.#nextPart - 1 === start.partCount) return; // no part of ours reached S3
    const { client, bucket } = this.#target;
    await client
      .send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: start.tailKey,
          Body: start.tail,
          ContentLength: start.tail.length,
          Metadata: { 'after-part': String(start.partCount) },
        }),
      )
      .catch((error) => {
        throw s3Failure(error);
      });
  }

  /** Stops at once: requests in flight are aborted; bytes not yet marked by a finished append do not count. */
  async destroy(): Promise<void> {
    this.#destroyed = true;
    this.#abort.abort();
    this.#fail(new Error('destroyed'));
    await this.#idle();
    await this.#started;
  }
}
