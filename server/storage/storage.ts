// The seam between the upload rooms (uploads/, tus/) and where bytes and records live (DESIGN.md §8):
// local disk (the zero-set-up default) or an S3-compatible bucket. Nothing above this file knows
// which backend runs; every backend passes the same conformance suite (test/storage/).
//
// Two kinds of blob reach a backend:
//   staged     bytes of a POST /api/uploads file part: written once from offset 0, hidden until the
//              whole request has arrived, then committed with the request's other files, or discarded
//   resumable  bytes of a tus upload: appended over many requests, durable at every offset a writer's
//              finish() resolved with, kept across restarts until completed, terminated or expired
// Both become a completed upload's content through commit(), together with the upload's record.
import type { Readable } from 'node:stream';
import type { Upload } from '../uploads/upload.js';

/** What a writer tells its caller as the backend takes the bytes. */
export interface BlobWriterEvents {
  /**
   * The backend took bytes: `total` counts from byte 0 of the blob. Local disk: written to the
   * kernel; S3: taken into the writer's bounded part buffer. Durable only once finish() resolves.
   */
  written(total: number): void;
  /** The queue went below its bound again: a paused source may resume. */
  drain(): void;
  /** The backend failed (disk or bucket full, I/O error, bucket unreachable); later pushes are dropped. */
  error(error: Error): void;
}

/** One stream of bytes into a blob. Callers hash the bytes themselves; a writer only stores them. */
export interface BlobWriter {
  /** Queues a chunk without copying it; false means "pause the source until drain". */
  push(chunk: Buffer): boolean;
  /**
   * Waits for every pushed byte and makes it durable (fsync; or the S3 part and tail stored).
   * Resolves with the blob's durable length. A resumable append whose request was cut off calls this
   * too: every byte that arrived is kept (tus 1.0 §PATCH).
   */
  finish(): Promise<number>;
  /** Drops queued bytes and waits for writes in flight. A staged blob is removed; a resumable blob keeps what is durable. */
  destroy(): Promise<void>;
  /**
   * Undoes this writer entirely (a tus chunk that failed its Upload-Checksum is discarded, tus 1.0
   * §checksum): a resumable blob is left as long as it was when the append began; a staged blob is removed.
   */
  abandon(): Promise<void>;
}

/** A byte range, both ends inclusive (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

/** Everything a tus upload needs besides its bytes; stored by the backend, so it survives restarts. */
export interface ResumableRecord {
  /** The upload as watchers see it (status `uploading` or `paused`; `expected` is Upload-Length or null when deferred). */
  upload: Upload;
  /** The Upload-Metadata header as sent at creation, byte-exact (tus 1.0 §Upload-Metadata); null if none. */
  metadata: string | null;
  /** When an unfinished upload is removed (RFC 9110 date source: ISO 8601 here). */
  expiresAt: string;
  /** tus concatenation: a part of a parallel upload, or the final upload made of parts. */
  concat?: { kind: 'partial'; finalId?: string } | { kind: 'final'; parts: string[] };
  /** The scoped upload token (its id) that created it: only that token may HEAD or PATCH it. */
  owner?: string;
}

/** The response headers a download carries (decided by the content route). */
export interface DownloadHeaders {
  contentType: string;
  contentDisposition: string;
}

export interface BlobStore {
  /** Starts a hidden blob for a new file part; `discard` removes it if the request fails. */
  stage(id: string, events: BlobWriterEvents): BlobWriter;
  /** Removes a staged blob that will not be committed. Missing is fine. */
  discard(id: string): Promise<void>;

  /** Creates an empty resumable blob. */
  createResumable(id: string): Promise<void>;
  /**
   * Length of an unfinished resumable blob, or null when there is none. Between appends it is the
   * durable length; while an append runs it may already count bytes that its finish() has yet to
   * make durable (local disk), so tus answers HEAD with it only when no append holds the lock.
   */
  resumableOffset(id: string): Promise<number | null>;
  /** Appends at `offset`, which must be the durable length; the caller holds the upload's lock. */
  append(id: string, offset: number, events: BlobWriterEvents): BlobWriter;
  /**
   * A resumable blob's bytes from the start, once its last byte is in: tus recomputes the SHA-256 a
   * restart lost before it commits. A backend may first have to finish the blob to read it (S3
   * completes its multipart upload); the blob then takes no more appends but stays resumable, with
   * its offset, until commit() or removeResumable().
   */
  readResumable(id: string): Promise<Readable>;
  /** Fills resumable blob `id` with the finished resumable blobs `parts`, in order (tus concatenation). */
  concatenate(id: string, parts: readonly string[]): Promise<void>;
  /** Removes an unfinished resumable blob (termination, expiry). Missing is fine. */
  removeResumable(id: string): Promise<void>;

  /** A completed upload's bytes; rejects with code `ENOENT` when they are gone. Opened before it resolves. */
  read(id: string, range: ByteRange | null): Promise<Readable>;
  /**
   * A URL the client may fetch the bytes from directly (S3 presigned downloads), or null to stream
   * them. The URL makes the bucket answer with `headers`, as the content route would.
   */
  downloadUrl(upload: Upload, headers: DownloadHeaders): Promise<string | null>;
}

export interface RecordStore {
  /** Every completed upload, for the index at start-up. Records whose bytes are missing are skipped with a warning. */
  loadCompleted(): Promise<Upload[]>;
  /** Every unfinished resumable upload, for the tus room at start-up. */
  loadResumable(): Promise<ResumableRecord[]>;
  getResumable(id: string): Promise<ResumableRecord | null>;
  putResumable(record: ResumableRecord): Promise<void>;
  removeResumable(id: string): Promise<void>;
}

/** A blob to make a completed upload's content: a staged file part, or a finished resumable upload. */
export interface Completion {
  upload: Upload;
  from: 'staged' | 'resumable';
}

export interface Storage {
  readonly blobs: BlobStore;
  readonly records: RecordStore;
  /**
   * All or nothing: every blob becomes its upload's content and every upload's record is stored, or,
   * if any step fails, none is visible and the error is rethrown (staged blobs are then discarded;
   * resumable blobs stay resumable).
   */
  commit(completions: readonly Completion[]): Promise<void>;
  /** Removes a completed upload's bytes and record (record first: a crash between leaves no listed ghost). */
  remove(id: string): Promise<void>;
  /** Start-up: create what is missing, sweep leftovers of a crash (staged blobs, orphaned multipart uploads). */
  open(): Promise<void>;
  close(): Promise<void>;
}
