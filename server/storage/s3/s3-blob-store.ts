// The bytes in an S3 bucket (key layout in s3-client.ts). A resumable blob is, until it is sealed,
// a multipart upload at P<id> plus an optional tail object; sealing (at commit, or when it becomes
// a part of a tus concatenation) completes it into the object P<id>, which stays a resumable blob
// while the upload has no completed record.

import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type Part,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Upload } from '../../uploads/upload.js';
import type { BlobStore, BlobWriter, BlobWriterEvents, ByteRange, DownloadHeaders } from '../storage.js';
import type { S3Keys } from './s3-client.js';
import { isS3NotFound, notFound, s3Failure } from './s3-errors.js';
import { type AppendStart, S3PartWriter } from './s3-part-writer.js';

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

/** A resumable blob's durable state as S3 holds it. */
interface ResumableState {
  uploadId: string;
  /** Parts 1..n without a gap (a part past a gap was never acknowledged: it is overwritten). */
  parts: Part[];
  partBytes: number;
  tail: { bytes: number; afterPart: number } | null;
}

export class S3BlobStore implements BlobStore {
  readonly #o: S3BlobStoreOptions;
  /** Multipart upload ids of resumable blobs this node has seen (others are found by listing). */
  readonly #uploadIds = new Map<string, string>();
  /** Staged writers still running, so discard() can abort their multipart uploads. */
  readonly #staged = new Map<string, S3PartWriter>();

  constructor(options: S3BlobStoreOptions) {
    this.#o = options;
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
      if (uploadId) await this.#abortUpload(key, uploadId);
      await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    };
    const cleanUp = task().catch(() => this.#o.retryLater(`remove staged ${key}`, task));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cleanUp, new Promise((resolve) => (timer = setTimeout(resolve, CLEAN_UP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async #abortUpload(key: string, uploadId: string): Promise<void> {
    await this.#o.client
      .send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: uploadId }))
      .catch((error) => {
        if (!isS3NotFound(error)) throw error;
      });
  }

  async createResumable(id: string): Promise<void> {
    const { UploadId } = await this.#o.client
      .send(new CreateMultipartUploadCommand({ Bucket: this.#bucket, Key: this.#o.keys.data(id) }))
      .catch(rethrowS3);
    this.#uploadIds.set(id, UploadId!);
  }

  /** The multipart upload of a resumable blob, or null (none: sealed, removed or never created). */
  async #findUpload(id: string): Promise<string | null> {
    const cached = this.#uploadIds.get(id);
    if (cached) return cached;
    const key = this.#o.keys.data(id);
    const { Uploads = [] } = await this.#o.client.send(
      new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: key }),
    );
    const upload = Uploads.filter((u) => u.Key === key).at(-1);
    if (!upload?.UploadId) return null;
    this.#uploadIds.set(id, upload.UploadId);
    return upload.UploadId;
  }

  async #resumableState(id: string): Promise<ResumableState | null> {
    const uploadId = await this.#findUpload(id);
    if (!uploadId) return null;
    const key = this.#o.keys.data(id);
    const listed: Part[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.#o.client
        .send(
          new ListPartsCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        )
        .catch((error) => {
          if (isS3NotFound(error)) this.#uploadIds.delete(id);
          throw error;
        });
      listed.push(...(page.Parts ?? []));
      if (!page.IsTruncated || !page.NextPartNumberMarker) break;
      marker = page.NextPartNumberMarker;
    }
    listed.sort((a, b) => a.PartNumber! - b.PartNumber!);
    let parts: Part[] = [];
    for (const part of listed) {
      if (part.PartNumber !== parts.length + 1) break;
      parts.push(part);
    }
    let tail: ResumableState['tail'] = null;
    try {
      const head = await this.#o.client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#o.keys.tail(id) }),
      );
      const afterPart = Number(head.Metadata?.['after-part']);
      // The tail object is also the commit mark of the last finished append: parts after the one it
      // follows belong to an append that never finished (a crash, or abandon()) and do not count.
      if (Number.isSafeInteger(afterPart) && afterPart <= parts.length) {
        parts = parts.slice(0, afterPart);
        tail = { bytes: head.ContentLength ?? 0, afterPart };
      }
    } catch (error) {
      if (!isS3NotFound(error)) throw error;
    }
    const partBytes = parts.reduce((sum, part) => sum + part.Size!, 0);
    return { uploadId, parts, partBytes, tail };
  }

  async resumableOffset(id: string): Promise<number | null> {
    try {
      const state = await this.#resumableState(id);
      if (state) return state.partBytes + (state.tail?.bytes ?? 0);
      return await this.#sealedSize(id);
    } catch (error) {
      throw s3Failure(error);
    }
  }

  /** The size of a sealed resumable blob: an object at P<id> whose upload has no completed record. */
  async #sealedSize(id: string): Promise<number | null> {
    const size = await this.#objectSize(this.#o.keys.data(id));
    if (size === null) return null;
    return (await this.#objectSize(this.#o.keys.record(id))) === null ? size : null;
  }

  async #objectSize(key: string): Promise<number | null> {
    try {
      const head = await this.#o.client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isS3NotFound(error)) return null;
      throw error;
    }
  }

  append(id: string, offset: number, events: BlobWriterEvents): BlobWriter {
    const start = (async (): Promise<AppendStart> => {
      const state = await this.#resumableState(id);
      if (!state) throw offsetMismatch(`no unfinished resumable blob ${id}`);
      const durable = state.partBytes + (state.tail?.bytes ?? 0);
      if (durable !== offset) throw offsetMismatch(`append at ${offset} but the blob holds ${durable} bytes`);
      const tailKey = this.#o.keys.tail(id);
      const tail = state.tail ? await this.#getBytes(tailKey) : Buffer.alloc(0);
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

  async #getBytes(key: string): Promise<Buffer> {
    const { Body } = await this.#o.client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    return Buffer.from(await Body!.transformToByteArray());
  }

  /**
   * Completes a resumable blob into the object P<id>: the tail becomes the last part (or, with no
   * part at all, the whole object). Already sealed is fine; no blob at all rejects.
   */
  async seal(id: string): Promise<void> {
    const key = this.#o.keys.data(id);
    const state = await this.#resumableState(id);
    if (!state) {
      if ((await this.#objectSize(key)) === null) throw notFound(key);
      return;
    }
    const tailKey = this.#o.keys.tail(id);
    const tail = state.tail ? await this.#getBytes(tailKey) : Buffer.alloc(0);
    if (state.parts.length === 0) {
      await this.#o.client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: tail, ContentLength: tail.length }),
      );
      await this.#abortUpload(key, state.uploadId);
    } else {
      const parts: CompletedPart[] = state.parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
      if (tail.length > 0) {
        const PartNumber = parts.length + 1;
        const { ETag } = await this.#o.client.send(
          new UploadPartCommand({
            Bucket: this.#bucket,
            Key: key,
            UploadId: state.uploadId,
            PartNumber,
            Body: tail,
            ContentLength: tail.length,
          }),
        );
        parts.push({ PartNumber, ETag });
      }
      await this.#o.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.#bucket,
          Key: key,
          UploadId: state.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    }
    this.#uploadIds.delete(id);
    await this.#o.client
      .send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: tailKey }))
      .catch(() => {});
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
      const uploadId = await this.#findUpload(id);
      if (uploadId) await this.#abortUpload(keys.data(id), uploadId);
      this.#uploadIds.delete(id);
      await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keys.tail(id) }));
      // A sealed blob's object, unless the upload completed (then it is the content).
      if ((await this.#objectSize(keys.record(id))) === null) {
        await this.#o.client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keys.data(id) }));
      }
    } catch (error) {
      throw s3Failure(error);
    }
  }

  /** Resolves with the size of a finished staged blob, rejects when there is none. */
  async stagedSize(id: string): Promise<number> {
    const size = await this.#objectSize(this.#o.keys.data(id));
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
