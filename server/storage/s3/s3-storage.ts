// S3 storage (STORAGE=s3): blobs and records in a bucket (layout in s3-client.ts), commits that
// write records only once every blob is complete, and a start-up sweep of a crash's leftovers:
// multipart uploads that belong to no resumable upload are aborted, objects without a record
// removed. As on a shared directory (local-storage.ts), with `shared` (several live nodes on one
// bucket) only leftovers untouched for `staleAfterMs` are swept, at start-up and periodically.
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  type MultipartUpload,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { FastifyBaseLogger } from 'fastify';
import { type Config, ConfigError } from '../../config.js';
import { isUploadId } from '../../uploads/upload-id.js';
import type { Completion, Storage } from '../storage.js';
import { S3BlobStore } from './s3-blob-store.js';
import { createS3Client, S3Keys } from './s3-client.js';
import { isS3NotFound, s3Failure } from './s3-errors.js';
import { S3RecordStore } from './s3-record-store.js';

const MiB = 1024 * 1024;
/** S3's smallest part (but the last): AWS, R2, MinIO and Swift agree. */
export const S3_MIN_PART = 5 * MiB;
/** S3's most parts per upload. */
const MAX_PARTS = 10_000;
/** Part buffers per writer, each filling or uploading: memory per upload ≤ 1 part + 128 KiB (s3-part-writer.ts). */
export const S3_QUEUE_DEPTH = 1;
/** How often clean-up that failed while S3 was down is tried again. */
const RETRY_EVERY_MS = 5000;
/** Presigned download URLs expire after this long. */
const PRESIGN_SECONDS = 300;

/** The smallest whole-MiB part size ≥ 5 MiB that still fits MAX_FILE_SIZE into 10,000 parts. */
export const partSizeFor = (maxFileSize: number) =>
  Math.max(S3_MIN_PART, Math.ceil(maxFileSize / MAX_PARTS / MiB) * MiB);

export interface S3StorageOptions {
  config: Config;
  log: FastifyBaseLogger;
  shared?: boolean;
  staleAfterMs?: number;
  /** Tests: a smaller part size (still ≥ 5 MiB for S3 itself). */
  partSize?: number;
}

export class S3Storage implements Storage {
  readonly blobs: S3BlobStore;
  readonly records: S3RecordStore;
  readonly #client: S3Client;
  readonly #config: Config;
  readonly #bucket: string;
  readonly #keys: S3Keys;
  readonly #log: FastifyBaseLogger;
  readonly #shared: boolean;
  readonly #staleAfterMs: number;
  readonly #retries = new Map<string, () => Promise<unknown>>();
  #retryTimer: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;

  constructor({ config, log, shared = false, staleAfterMs = 10 * 60_000, partSize }: S3StorageOptions) {
    if (!config.s3Bucket) throw new ConfigError('S3_BUCKET must be set when STORAGE=s3');
    this.#config = config;
    this.#client = createS3Client(config);
    this.#bucket = config.s3Bucket;
    this.#keys = new S3Keys(config.s3Prefix);
    this.#log = log;
    this.#shared = shared;
    this.#staleAfterMs = staleAfterMs;
    this.blobs = new S3BlobStore({
      client: this.#client,
      bucket: this.#bucket,
      keys: this.#keys,
      partSize: partSize ?? partSizeFor(config.maxFileSize),
      queueDepth: S3_QUEUE_DEPTH,
      presignSeconds: config.s3PresignedDownloads ? PRESIGN_SECONDS : null,
      retryLater: (what, task) => this.#retryLater(what, task),
    });
    this.records = new S3RecordStore(this.#client, this.#bucket, this.#keys, log);
  }

  async open(): Promise<void> {
    await this.#checkBucket();
    await this.#sweep();
    if (this.#shared) {
      this.#sweeper = setInterval(() => {
        this.#sweep().catch((error: Error) => this.#log.warn({ err: error }, 'sweep of the bucket failed'));
      }, this.#staleAfterMs / 2).unref();
    }
  }

  /** One line naming the setting to fix, as for a bad value in the settings table. */
  async #checkBucket(): Promise<void> {
    const { s3Bucket, s3Endpoint, s3Region } = this.#config;
    const where = s3Endpoint ? `S3_ENDPOINT=${JSON.stringify(s3Endpoint)}` : `AWS S3 (S3_REGION=${s3Region})`;
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: s3Bucket }));
    } catch (error) {
      const sdk = error as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
      const status = sdk.$metadata?.httpStatusCode;
      const bucket = `S3_BUCKET=${JSON.stringify(s3Bucket)}`;
      if (status === 404) throw new ConfigError(`${bucket}: no such bucket at ${where}`);
      if (status === 403 || status === 401) {
        throw new ConfigError(
          `${bucket}: access denied at ${where} (check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, the profile or role)`,
        );
      }
      if (sdk.name === 'CredentialsProviderError') {
        throw new ConfigError(
          `${bucket}: no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE)`,
        );
      }
      const reason = status ? `HTTP ${status}` : (sdk.code ?? sdk.name);
      throw new ConfigError(`${where}: the bucket cannot be reached (${reason})`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    clearInterval(this.#retryTimer);
    // One last try of what is pending, bounded by the request timeout.
    await Promise.allSettled([...this.#retries.values()].map((task) => task()));
    await this.records.saveSnapshot();
    this.#client.destroy();
  }

  /** Clean-up that failed because S3 is down is retried every few seconds until it succeeds. */
  #retryLater(what: string, task: () => Promise<unknown>): void {
    this.#retries.set(what, task);
    this.#retryTimer ??= setInterval(() => {
      for (const [name, retry] of this.#retries) {
        retry().then(
          () => this.#retries.delete(name),
          () => {},
        );
      }
      if (this.#retries.size === 0) {
        clearInterval(this.#retryTimer);
        this.#retryTimer = undefined;
      }
    }, RETRY_EVERY_MS).unref();
  }

  #isStale(date: Date | undefined): boolean {
    return !this.#shared || (date !== undefined && Date.now() - date.getTime() > this.#staleAfterMs);
  }

  /** Multipart uploads of no resumable upload, objects of no record, records of finished resumables. */
  async #sweep(): Promise<void> {
    const keys = this.#keys;
    const resumableNames = (await this.records.list(keys.resumablePrefix)).map((o) =>
      o.Key!.slice(keys.resumablePrefix.length),
    );
    const resumable = new Set(resumableNames.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)));
    const top = await this.records.list(keys.prefix);
    const completed = new Set(
      top
        .map((o) => o.Key!.slice(keys.prefix.length))
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -5)),
    );
    let aborted = 0;
    for (const upload of await this.#multipartUploads()) {
      const id = upload.Key!.slice(keys.prefix.length);
      if (!isUploadId(id) || resumable.has(id) || !this.#isStale(upload.Initiated)) continue;
      await this.#client.send(
        new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: upload.Key, UploadId: upload.UploadId }),
      );
      aborted++;
    }
    let removed = 0;
    for (const object of top) {
      const id = object.Key!.slice(keys.prefix.length);
      if (!isUploadId(id) || completed.has(id) || resumable.has(id) || !this.#isStale(object.LastModified))
        continue;
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: object.Key }));
      removed++;
    }
    for (const id of resumable) {
      if (completed.has(id)) await this.records.removeResumable(id);
    }
    for (const name of resumableNames) {
      const id = name.slice(0, -'.tail'.length);
      if (name.endsWith('.tail') && !resumable.has(id)) {
        await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: keys.tail(id) }));
      }
    }
    if (aborted + removed > 0) {
      this.#log.warn({ aborted, removed }, 'swept multipart uploads and objects a crash left behind');
    }
  }

  async #multipartUploads(): Promise<MultipartUpload[]> {
    const uploads: MultipartUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.#client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.#bucket,
          Prefix: this.#keys.prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      uploads.push(...(page.Uploads ?? []));
      if (!page.IsTruncated) return uploads;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /**
   * All or nothing: staged blobs are checked (complete, the right size) and resumable blobs sealed
   * first; only then are the records written. If any step fails, the records already written are
   * removed again, staged blobs discarded, and resumable blobs stay resumable (sealed).
   */
  async commit(completions: readonly Completion[]): Promise<void> {
    const recorded: string[] = [];
    try {
      for (const { upload, from } of completions) {
        if (from === 'resumable') await this.blobs.seal(upload.id);
        else if ((await this.blobs.stagedSize(upload.id)) !== upload.size) {
          throw new Error(`staged blob ${upload.id} is not ${upload.size} bytes`);
        }
      }
      for (const { upload } of completions) {
        await this.records.putCompleted(upload);
        recorded.push(upload.id);
      }
    } catch (error) {
      for (const id of recorded) {
        await this.records.removeCompleted(id).catch(() => {
          this.#retryLater(`remove record ${id}`, () => this.records.removeCompleted(id));
        });
      }
      for (const { upload, from } of completions) if (from === 'staged') await this.blobs.discard(upload.id);
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? error : s3Failure(error);
    }
    for (const { upload, from } of completions) {
      if (from !== 'resumable') continue;
      await this.records.removeResumable(upload.id).catch(() => {
        this.#retryLater(`remove resumable record ${upload.id}`, () =>
          this.records.removeResumable(upload.id),
        );
      });
    }
  }

  async remove(id: string): Promise<void> {
    // Record first: a crash in between leaves an object without a record, which open() removes.
    await this.records.removeCompleted(id);
    await this.blobs.deleteObject(id).catch((error) => {
      if (!isS3NotFound(error)) throw s3Failure(error);
    });
  }
}
