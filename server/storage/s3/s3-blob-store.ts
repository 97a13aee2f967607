// The bytes in an S3 bucket (key layout in s3-client.ts). A resumable blob is, until it is sealed,
// a multipart upload at P<id> plus an optional tail object (s3-resumable-uploads.ts); sealing (at
// commit, when its SHA-256 must be recomputed, or when it becomes a part of a tus concatenation)
// completes it into the object P<id>, which stays a resumable blob while the upload has no
// completed record.
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Upload } from '../../uploads/upload.js';
import type { BlobStore, BlobWriter, BlobWriterEvents, ByteRange, DownloadHeaders } from '../storage.js';
import type { S3Keys } from './s3-client.js';
import { isS3NotFound, notFound, s3Failure } from './s3-errors.js';
import { type AppendStart, S3PartWriter } from './s3-part-writer.js';
import { S3ResumableUploads } from './s3-resumable-uploads.js';

/** How long discarding a staged blob waits for S3 before it goes on in the background. */
const CLEAN_UP_WAIT_MS = 2000;

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  keys: S3Keys;
  partSize: number;
  queueDepth: number;
  /** Presigned download URLs live this long (seconds); null: downloads stream through livedrop. */
  presignSeconds: number | null;
  /** Clean-up that failed (S3 down) is handed here to be retried until it succeeds. */
  retryLater(what: string, task: () => Promise<unknown>): void;
}

export class S3BlobStore implements BlobStore {
  readonly #o: S3BlobStoreOptions;
  /** Staged writers still running, so discard() can abort their multipart uploads. */
  readonly #staged = new Map<string, S3PartWriter>();

  readonly #uploads: S3ResumableUploads;

  constructor(options: S3BlobStoreOptions) {
    this.#o = options;
    this.#uploads = new S3ResumableUploads(options.client, options.bucket, options.keys);
  }

  get #bucket() {
    return this.#o.bucket;
  }

  #target(id: string) {
    const { client, bucket, keys, partSize, queueDepth } = this.#o;
    return { client, bucket, key: keys.data(id), partSize, queueDepth };
  }

  stage(id: string, events: BlobWriterEvents): BlobWriter {
    const writer = new S3PartWriter(this.#target(id), { kind: 'staged' }, events);
    this.#staged.set(id, writer);
    return {
      push: (chunk) => writer.push(chunk),
      finish: () => writer.finish().finally(() => this.#staged.delete(id)),
      abandon: () => writer.abandon(),
      destroy: async () => {
        await writer.destroy();
        this.#staged.delete(id);
        // Most aborted uploads are short and never reached S3: nothing to remove.
        if (writer.touchedS3) await this.#cleanUpStaged(id, await writer.uploadId());
      },
    };
  }

  async discard(id: string): Promise<void> {
    const writer = this.#staged.get(id);
    if (writer) await writer.destroy();
    this.#staged.delete(id);
    await this.#cleanUpStaged(id, writer ? await writer.uploadId() : null);
  }

  /**
   * Removes a staged blob's object and multipart upload. Waits at most CLEAN_UP_WAIT_MS (a hung S3
   * must not hold a failed request's answer back); what has not succeeded by then goes on in the
   * background, and if it fails (S3 down) it is retried until S3 is back.
   */
  async #cleanUpStaged(id: string, uploadId: string | null): Promise<void> {
    const key = this.#o.keys.data(id);
    const task = async () => {
      if (uploadId) await this.#uploads.abort(key, uploadId);
      await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    };
    const cleanUp = task().catch(() => this.#o.retryLater(`remove staged ${key}`, task));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cleanUp, new Promise((resolve) => (timer = setTimeout(resolve, CLEAN_UP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async createResumable(id: string): Promise<void> {
    await this.#uploads.create(id).catch(rethrowS3);
  }

  async resumableOffset(id: string): Promise<number | null> {
    try {
      const state = await this.#uploads.state(id);
      if (state) return state.partBytes + (state.tail?.bytes ?? 0);
      return await this.#sealedSize(id);
    } catch (error) {
      throw s3Failure(error);
    }
  }

  /** The size of a sealed resumable blob: an object at P<id> whose upload has no completed record. */
  async #sealedSize(id: string): Promise<number | null> {
    const size = await this.#uploads.objectSize(this.#o.keys.data(id));
    if (size === null) return null;
    return (await this.#uploads.objectSize(this.#o.keys.record(id))) === null ? size : null;
  }

  append(id: string, offset: number, events: BlobWriterEvents): BlobWriter {
    const start = (async (): Promise<AppendStart> => {
      const state = await this.#uploads.state(id);
      if (!state) throw offsetMismatch(`no unfinished resumable blob ${id}`);
      const durable = state.partBytes + (state.tail?.bytes ?? 0);
      if (durable !== offset) throw offsetMismatch(`append at ${offset} but the blob holds ${durable} bytes`);
      const tailKey = this.#o.keys.tail(id);
      const tail = state.tail ? await this.#uploads.getBytes(tailKey) : Buffer.alloc(0);
      return {
        uploadId: state.uploadId,
        partCount: state.parts.length,
        partBytes: state.partBytes,
        tail,
        tailKey,
      };
    })();
    return new S3PartWriter(this.#target(id), { kind: 'append', start }, events);
  }

  /** Completes a resumable blob into the object P<id> (s3-resumable-uploads.ts); already sealed is fine. */
  seal(id: string): Promise<void> {
    return this.#uploads.seal(id);
  }

  /**
   * tus concatenation: each part is sealed, then its bytes stream into `id`'s multipart upload
   * through an append writer (S3 copies parts only ≥ 5 MiB, and tus parts may be any size).
   */
  async concatenate(id: string, parts: readonly string[]): Promise<void> {
    try {
      let offset = (await this.resumableOffset(id)) ?? 0;
      for (const part of parts) {
        await this.seal(part);
        const { Body } = await this.#o.client.send(
          new GetObjectCommand({ Bucket: this.#bucket, Key: this.#o.keys.data(part) }),
        );
        const events = drainSignal();
        offset = await pipeInto(this.append(id, offset, events), events, Body as Readable);
      }
    } catch (error) {
      throw s3Failure(error);
    }
  }

  /**
   * A resumable blob's bytes from the start. S3 cannot read the parts of an unfinished multipart
   * upload, so the blob is sealed first (CompleteMultipartUpload): its last byte is in (storage.ts),
   * and commit() finds it sealed already.
   */
  async readResumable(id: string): Promise<Readable> {
    await this.seal(id).catch(rethrowS3);
    return this.read(id, null);
  }

  async removeResumable(id: string): Promise<void> {
    const keys = this.#o.keys;
    try {
      await this.#uploads.remove(id);
      await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keys.tail(id) }));
      // A sealed blob's object, unless the upload completed (then it is the content).
      if ((await this.#uploads.objectSize(keys.record(id))) === null) {
        await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keys.data(id) }));
      }
    } catch (error) {
      throw s3Failure(error);
    }
  }

  /** Resolves with the size of a finished staged blob, rejects when there is none. */
  async stagedSize(id: string): Promise<number> {
    const size = await this.#uploads.objectSize(this.#o.keys.data(id));
    if (size === null) throw notFound(this.#o.keys.data(id));
    return size;
  }

  async deleteObject(id: string): Promise<void> {
    await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#o.keys.data(id) }));
  }

  async read(id: string, range: ByteRange | null): Promise<Readable> {
    const key = this.#o.keys.data(id);
    try {
      const { Body } = await this.#o.client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(range && { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      // In Node the SDK's body is the response stream (IncomingMessage).
      return Body as Readable;
    } catch (error) {
      if (isS3NotFound(error)) throw notFound(key);
      throw s3Failure(error);
    }
  }

  async downloadUrl(upload: Upload, headers: DownloadHeaders): Promise<string | null> {
    if (this.#o.presignSeconds === null) return null;
    return getSignedUrl(
      this.#o.client,
      new GetObjectCommand({
        Bucket: this.#bucket,
        Key: this.#o.keys.data(upload.id),
        ResponseContentType: headers.contentType,
        ResponseContentDisposition: headers.contentDisposition,
        ResponseCacheControl: 'private, no-cache',
      }),
      { expiresIn: this.#o.presignSeconds },
    );
  }
}

function offsetMismatch(message: string): Error {
  return Object.assign(new Error(message), { code: 'OFFSET_MISMATCH' });
}

function rethrowS3(error: unknown): never {
  throw s3Failure(error);
}

interface DrainSignal extends BlobWriterEvents {
  onDrain?: () => void;
  failure?: Error;
}

/** Events for an internal writer whose drain() resumes the stream fed into it. */
function drainSignal(): DrainSignal {
  const events: DrainSignal = {
    written: () => {},
    drain: () => events.onDrain?.(),
    error: (error) => {
      events.failure = error;
      events.onDrain?.();
    },
  };
  return events;
}

/** Streams `source` into `writer` with backpressure; resolves with the blob's durable length. */
async function pipeInto(writer: BlobWriter, events: DrainSignal, source: Readable): Promise<number> {
  try {
    for await (const chunk of source) {
      if (!writer.push(chunk as Buffer)) await new Promise<void>((resolve) => (events.onDrain = resolve));
      if (events.failure) throw events.failure;
    }
    return await writer.finish();
  } catch (error) {
    source.destroy();
    await writer.destroy();
    throw error;
  }
}
