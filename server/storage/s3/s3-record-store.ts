// The records in an S3 bucket: a completed upload's `P<id>.json` next to its bytes (like tusd's
// `.info`), an unfinished resumable upload's `P.resumable/<id>.json`. The index is rebuilt from a
// paginated listing: one ListObjectsV2 page per 1,000 keys, then each record taken from the index
// snapshot if it holds the listed version (s3-index-snapshot.ts), else fetched, RECORD_READS at a time;
// a record whose bytes are missing or of another size is skipped with a warning.
import {
  type _Object,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { FastifyBaseLogger } from 'fastify';
import type { Upload } from '../../uploads/upload.js';
import { isUploadId } from '../../uploads/upload-id.js';
import { describesCompletedUpload } from '../completed-record.js';
import type { RecordStore, ResumableRecord } from '../storage.js';
import type { S3Keys } from './s3-client.js';
import { isS3NotFound, s3Failure } from './s3-errors.js';
import { IndexSnapshot } from './s3-index-snapshot.js';

/** Records fetched at once while the index is rebuilt. */
const RECORD_READS = 32;
const JSON_SUFFIX = '.json';

export class S3RecordStore implements RecordStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #keys: S3Keys;
  readonly #log: FastifyBaseLogger;
  readonly #snapshot: IndexSnapshot;

  constructor(client: S3Client, bucket: string, keys: S3Keys, log: FastifyBaseLogger) {
    this.#client = client;
    this.#bucket = bucket;
    this.#keys = keys;
    this.#log = log;
    this.#snapshot = new IndexSnapshot(client, bucket, keys.indexSnapshot, log);
  }

  /** Every object directly under `prefix` (not in its "subfolders"), page by page. */
  async list(prefix: string): Promise<_Object[]> {
    const objects: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client
        .send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        )
        .catch(rethrow);
      objects.push(...(page.Contents ?? []));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  async loadCompleted(): Promise<Upload[]> {
    const sizes = new Map<string, number>();
    const records = new Map<string, string | undefined>();
    for (const object of await this.list(this.#keys.prefix)) {
      const name = object.Key!.slice(this.#keys.prefix.length);
      if (isUploadId(name)) sizes.set(name, object.Size ?? 0);
      else if (name.endsWith(JSON_SUFFIX) && isUploadId(name.slice(0, -JSON_SUFFIX.length))) {
        records.set(name.slice(0, -JSON_SUFFIX.length), object.ETag);
      }
    }
    await this.#snapshot.load();
    this.#snapshot.keepOnly(new Set(records.keys()));
    const uploads = await inBatches([...records], RECORD_READS, ([id, etag]) =>
      this.#readCompleted(id, etag, sizes.get(id)),
    );
    await this.#snapshot.save();
    return uploads.filter((upload): upload is Upload => upload !== null);
  }

  /** Writes what changed of the index snapshot (on close). */
  saveSnapshot(): Promise<void> {
    return this.#snapshot.save();
  }

  async #readCompleted(
    id: string,
    etag: string | undefined,
    size: number | undefined,
  ): Promise<Upload | null> {
    const key = this.#keys.record(id);
    try {
      const cached = this.#snapshot.cached(id, etag);
      const json = cached ?? (await this.#getText(key));
      if (json === null) {
        this.#snapshot.delete(id); // removed since the listing
        return null;
      }
      const upload = JSON.parse(json);
      if (describesCompletedUpload(upload, id, size)) {
        if (cached === null) this.#snapshot.set(id, etag, json);
        return upload;
      }
      this.#log.warn({ key }, 'skipping record that does not describe a complete upload');
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw s3Failure(error);
      this.#log.warn({ key, err: error }, 'skipping unreadable record');
    }
    this.#snapshot.delete(id);
    return null;
  }

  async #getJson(key: string): Promise<unknown> {
    const text = await this.#getText(key);
    return text === null ? null : JSON.parse(text);
  }

  /** The object's text, or null when there is none. */
  async #getText(key: string): Promise<string | null> {
    try {
      const { Body } = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return await Body!.transformToString('utf8');
    } catch (error) {
      if (isS3NotFound(error)) return null;
      throw error;
    }
  }

  /** Stores `value` as JSON; resolves with the text stored and the ETag S3 gave it. */
  async #putJson(key: string, value: unknown): Promise<{ json: string; etag: string | undefined }> {
    const json = JSON.stringify(value);
    const { ETag } = await this.#client
      .send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: json,
          ContentType: 'application/json',
          ContentLength: Buffer.byteLength(json),
        }),
      )
      .catch(rethrow);
    return { json, etag: ETag };
  }

  async #delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key })).catch(rethrow);
  }

  async putCompleted(upload: Upload): Promise<void> {
    const { json, etag } = await this.#putJson(this.#keys.record(upload.id), upload);
    this.#snapshot.set(upload.id, etag, json);
  }

  async removeCompleted(id: string): Promise<void> {
    this.#snapshot.delete(id);
    await this.#delete(this.#keys.record(id));
  }

  async hasCompleted(id: string): Promise<boolean> {
    return (await this.#getJson(this.#keys.record(id)).catch(rethrow)) !== null;
  }

  async loadResumable(): Promise<ResumableRecord[]> {
    const ids = (await this.list(this.#keys.resumablePrefix))
      .map((object) => object.Key!.slice(this.#keys.resumablePrefix.length))
      .filter((name) => name.endsWith(JSON_SUFFIX))
      .map((name) => name.slice(0, -JSON_SUFFIX.length))
      .filter(isUploadId);
    const records = await inBatches(ids, RECORD_READS, (id) =>
      this.getResumable(id).catch((error: Error) => {
        if (!(error instanceof SyntaxError)) throw error;
        this.#log.warn({ key: this.#keys.resumableRecord(id), err: error }, 'skipping unreadable record');
        return null;
      }),
    );
    return records.filter((record): record is ResumableRecord => record !== null);
  }

  async getResumable(id: string): Promise<ResumableRecord | null> {
    try {
      return (await this.#getJson(this.#keys.resumableRecord(id))) as ResumableRecord | null;
    } catch (error) {
      if (error instanceof SyntaxError) throw error;
      throw s3Failure(error);
    }
  }

  async putResumable(record: ResumableRecord): Promise<void> {
    await this.#putJson(this.#keys.resumableRecord(record.upload.id), record);
  }

  removeResumable(id: string): Promise<void> {
    return this.#delete(this.#keys.resumableRecord(id));
  }
}

function rethrow(error: unknown): never {
  throw s3Failure(error);
}

/** Maps `items` through `task`, at most `width` at a time, keeping the order. */
export async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}
