// A cache of the completed records in one object, P.index/completed.json, so that start-up need not
// GET every record (10,000 of them took 108 s from the test Swift, one GET each). The bucket's listing
// stays the truth: a record is taken from the snapshot only when the listing shows its key with the
// ETag the snapshot saw; every other record is fetched, and ids the listing lacks are dropped. So a
// stale, missing or unreadable snapshot (another node wrote it, a node was killed before saving)
// costs GETs, never a wrong index. Saved after start-up's load when it changed anything, and on close.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FastifyBaseLogger } from 'fastify';
import { isS3NotFound, s3Failure } from './s3-errors.js';

/** A record's JSON text as stored, and the ETag S3 gave that version. */
interface Entry {
  etag: string;
  json: string;
}

const VERSION = 1;

export class IndexSnapshot {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #key: string;
  readonly #log: FastifyBaseLogger;
  #entries = new Map<string, Entry>();
  #changed = false;

  constructor(client: S3Client, bucket: string, key: string, log: FastifyBaseLogger) {
    this.#client = client;
    this.#bucket = bucket;
    this.#key = key;
    this.#log = log;
  }

  /** Reads the saved snapshot; none, or one that cannot be read, is an empty one. */
  async load(): Promise<void> {
    try {
      const { Body } = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key }),
      );
      const saved = JSON.parse(await Body!.transformToString('utf8')) as {
        version?: number;
        entries?: unknown;
      };
      if (saved.version === VERSION && saved.entries && typeof saved.entries === 'object') {
        this.#entries = new Map(Object.entries(saved.entries as Record<string, Entry>));
      }
    } catch (error) {
      if (isS3NotFound(error)) return;
      if (!(error instanceof SyntaxError)) throw s3Failure(error);
      this.#log.warn({ key: this.#key, err: error }, 'index snapshot unreadable: every record is fetched');
    }
  }

  /** The record's JSON text if the snapshot holds the version with `etag`. */
  cached(id: string, etag: string | undefined): string | null {
    const entry = this.#entries.get(id);
    return etag !== undefined && entry?.etag === etag ? entry.json : null;
  }

  set(id: string, etag: string | undefined, json: string): void {
    if (etag === undefined) {
      this.delete(id);
      return;
    }
    this.#entries.set(id, { etag, json });
    this.#changed = true;
  }

  delete(id: string): void {
    this.#changed = this.#entries.delete(id) || this.#changed;
  }

  /** Keeps only these ids (the ones the listing shows). */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.#entries.keys()) if (!ids.has(id)) this.delete(id);
  }

  /** Writes the snapshot if it changed; a failure is logged (the snapshot is only a cache). */
  async save(): Promise<void> {
    if (!this.#changed) return;
    this.#changed = false;
    const body = JSON.stringify({ version: VERSION, entries: Object.fromEntries(this.#entries) });
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key,
          Body: body,
          ContentType: 'application/json',
          ContentLength: Buffer.byteLength(body),
        }),
      );
    } catch (error) {
      this.#changed = true;
      this.#log.warn(
        { key: this.#key, err: error },
        'index snapshot not saved: the next start-up fetches more records',
      );
    }
  }
}
