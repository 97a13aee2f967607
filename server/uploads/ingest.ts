// One POST /api/uploads request: the multipart body is parsed as it arrives (busboy), each file part
// streams to its own staged blob (storage.blobs.stage) while its SHA-256 is updated on the same
// buffers, and the request ends all-or-nothing: every file is committed together, or none is.
//
// Events (UploadObserver): `started` when a file part begins, `progress` after each acknowledged
// write, and — only once the whole request has succeeded and its files are committed — `completed`
// for each file. If the request fails, every file it started gets the request's outcome: `aborted`
// when the client went away, otherwise `failed` with the request's error (also the files whose own
// bytes had all arrived: they are removed with the rest). A file part rejected before its first byte
// (type not allowed, announced size over the limit, refused by the pre-upload hook) is never `started`.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BusboyFileStream, BusboyInstance } from '@fastify/busboy';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { PreUploadHook } from '../integrations/pre-upload-hook.js';
import type { BlobWriter, Storage } from '../storage/storage.js';
import type { UploadGrant } from '../tokens/upload-grants.js';
import { formatBytes } from './byte-size.js';
import { sanitizeFileName } from './file-name.js';
import { isTypeAllowed, normalizeMediaType } from './media-type.js';
import { createMultipartParser } from './multipart-parser.js';
import { storageError } from './storage-error.js';
import type { Upload } from './upload.js';
import { parsePathField, parseSizeField, parseThumbnailField } from './upload-fields.js';
import { contentUrl, newUploadId } from './upload-id.js';
import type { UploadIndex } from './upload-index.js';
import type { UploadObserver } from './upload-observer.js';

export interface IngestOptions {
  config: Config;
  storage: Storage;
  index: UploadIndex;
  observer: UploadObserver;
  log: FastifyBaseLogger;
  /** The validated X-Upload-Ref header. */
  ref: string | undefined;
  /** A scoped token's limits, applied on top of the server's (size, types, files in all). */
  grant?: UploadGrant | null;
  /** Fields other than `size` and `thumbnail`, and whether a file part came first; throwing fails the request. */
  onField?: (name: string, value: string, afterFile: boolean) => void;
  /** HOOK_PRE_UPLOAD_URL: asked before each file part's first byte is stored. */
  preUploadHook?: PreUploadHook | null;
}

/** An error with a code from server/errors.ts, or a file-system error that is a server fault. */
type IngestError = Error & { code?: string };

interface FileEntry {
  upload: Upload;
  writer: BlobWriter;
  /** Bytes pushed to the writer so far. */
  received: number;
  /** Bytes the storage holds durably, once `written` has settled. */
  stored: number;
  hash: Hash | null;
  /** Settles once the part has ended and its bytes are durable (never rejects: failures go to fail()). */
  written: Promise<void>;
}

/** Form fields that apply to the next file part. */
interface NextFile {
  expected: number | null;
  thumbnail?: string;
  path?: string | undefined;
}

export function ingestUploads(request: IncomingMessage, options: IngestOptions): Promise<Upload[]> {
  return new RequestIngest(request, options).run();
}

class RequestIngest {
  readonly #request: IncomingMessage;
  readonly #options: IngestOptions;
  readonly #files: FileEntry[] = [];
  /** Pre-upload checks still waiting for the hook's answer (each settles without rejecting). */
  readonly #checks: Promise<void>[] = [];
  #next: NextFile = { expected: null };
  #failure: IngestError | null = null;
  /** Once all bytes are in and the commit has begun, a late disconnect no longer undoes the request. */
  #committing = false;
  #resolve: (uploads: Upload[]) => void = () => {};
  #reject: (error: IngestError) => void = () => {};
  #idleTimer: NodeJS.Timeout | undefined;
  #received = 0;
  /**
   * What holds the request paused: the parser, or a writer that is full. A full writer pauses the
   * request, not its part's stream, so what arrives meanwhile waits in the socket rather than in the
   * parser as 64 KiB request chunks: kept alive while a part uploads, they would outlive two
   * scavenges and sit in V8's old generation until a full collection.
   */
  readonly #holds = new Set<object>();
  #stopReading: () => void = () => {};
  #sawFilePart = false;
  /** Files reserved from the grant's allowance, given back if the request fails. */
  #granted = 0;
  readonly #maxFileSize: number;

  constructor(request: IncomingMessage, options: IngestOptions) {
    this.#request = request;
    this.#options = options;
    this.#maxFileSize = Math.min(options.config.maxFileSize, options.grant?.claims.maxFileSize ?? Infinity);
  }

  run(): Promise<Upload[]> {
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      let parser: BusboyInstance;
      try {
        parser = this.#createParser();
      } catch (error) {
        // e.g. "Multipart: Boundary not found"; nothing has been read yet.
        return reject(new errors.UPLOAD_MALFORMED((error as Error).message));
      }
      this.#pump(parser);
    });
  }

  #createParser(): BusboyInstance {
    const { maxFiles } = this.#options.config;
    const { parser, fields } = createMultipartParser(this.#request.headers, {
      maxFiles,
      maxFileSize: this.#maxFileSize,
    });
    parser.on('file', (_field, stream, filename, _encoding, mimeType) =>
      this.#onFile(stream, filename, mimeType),
    );
    parser.on('field', (name, value, _nameTruncated, valueTruncated) =>
      this.#onField(name, value, valueTruncated),
    );
    parser.on('filesLimit', () => this.#fail(new errors.UPLOAD_TOO_MANY_FILES(maxFiles)));
    parser.on('fieldsLimit', () =>
      this.#fail(new errors.UPLOAD_MALFORMED(`more than ${fields} form fields`)),
    );
    parser.on('partsLimit', () => this.#fail(new errors.UPLOAD_MALFORMED('too many parts')));
    parser.on('error', (error: Error) => this.#fail(new errors.UPLOAD_MALFORMED(error.message)));
    parser.on('finish', () => void this.#commit());
    return parser;
  }

  /** Feeds the request body to the parser by hand (rather than pipe) to count bytes for the idle timer. */
  #pump(parser: BusboyInstance): void {
    const request = this.#request;
    const onData = (chunk: Buffer) => {
      this.#received += chunk.length;
      if (!parser.write(chunk)) this.#hold(parser);
    };
    parser.on('drain', () => this.#release(parser));
    request.on('data', onData);
    request.once('end', () => {
      clearInterval(this.#idleTimer);
      parser.end();
    });
    // 'close' before the body is complete: the client disconnected (or the socket was cut).
    request.once('close', () => {
      if (!request.complete) this.#fail(new errors.UPLOAD_ABORTED());
    });
    request.on('error', () => this.#fail(new errors.UPLOAD_ABORTED()));
    this.#stopReading = () => {
      clearInterval(this.#idleTimer);
      request.off('data', onData);
      request.pause();
    };

    // No byte for UPLOAD_IDLE_TIMEOUT cuts the upload off. Time spent paused on our own backpressure
    // (a slow disk) does not count: that is not the client's idleness.
    const idleMs = this.#options.config.uploadIdleTimeoutMs;
    let seen = 0;
    let idleSince = Date.now();
    this.#idleTimer = setInterval(
      () => {
        if (this.#received !== seen || this.#holds.size > 0) {
          seen = this.#received;
          idleSince = Date.now();
        } else if (Date.now() - idleSince >= idleMs) {
          this.#fail(new errors.UPLOAD_IDLE_TIMEOUT(idleMs));
        }
      },
      Math.max(100, idleMs / 4),
    );
  }

  #hold(holder: object): void {
    this.#holds.add(holder);
    this.#request.pause();
  }

  #release(holder: object): void {
    if (this.#holds.delete(holder) && this.#holds.size === 0 && !this.#failure) this.#request.resume();
  }

  #onField(name: string, value: string, truncated: boolean): void {
    if (this.#failure) return;
    try {
      if (name === 'size') this.#next.expected = parseSizeField(value);
      else if (name === 'thumbnail') this.#next.thumbnail = parseThumbnailField(value, truncated);
      else if (name === 'path') this.#next.path = parsePathField(value, truncated);
      // Other fields are the caller's (a form's redirect) or ignored: a form may carry its own inputs.
      else this.#options.onField?.(name, value, this.#sawFilePart);
    } catch (error) {
      this.#fail(error as IngestError);
    }
  }

  #onFile(stream: BusboyFileStream, filename: string | undefined, mimeType: string | undefined): void {
    const { config, grant } = this.#options;
    const maxFileSize = this.#maxFileSize;
    const next = this.#next;
    this.#next = { expected: null };
    this.#sawFilePart = true;
    // An HTML form's empty file input is sent as a part with filename="": no file was chosen.
    if (this.#failure || filename === '') {
      stream.resume();
      return;
    }
    const type = normalizeMediaType(mimeType);
    if (!isTypeAllowed(type, config.allowedTypes)) {
      this.#fail(new errors.UPLOAD_TYPE_NOT_ALLOWED(type, config.allowedTypes.join(', ')));
      return;
    }
    if (grant && !isTypeAllowed(type, grant.claims.types)) {
      this.#fail(new errors.UPLOAD_TYPE_NOT_ALLOWED(type, grant.claims.types.join(', ')));
      return;
    }
    if (next.expected !== null && next.expected > maxFileSize) {
      this.#fail(new errors.UPLOAD_FILE_TOO_LARGE(formatBytes(maxFileSize)));
      return;
    }
    // The parser may report these while the part waits for its admission.
    stream.on('limit', () => this.#fail(new errors.UPLOAD_FILE_TOO_LARGE(formatBytes(maxFileSize))));
    // The body ended inside this part ("terminated early"): the parser reports it here.
    stream.on('error', (error: Error) => this.#fail(new errors.UPLOAD_MALFORMED(error.message)));
    const name = sanitizeFileName(filename);
    if (!grant && !this.#options.preUploadHook) {
      this.#startFile(stream, name, type, next);
      return;
    }
    // Nothing reads the part until it is admitted: its bytes wait in the parser, and the parser's
    // backpressure holds the rest of the body in the socket.
    const check = this.#admit(name, type, next.expected).then(
      (meta) => {
        if (this.#failure) stream.resume();
        else this.#startFile(stream, name, type, next, meta);
      },
      (error: IngestError) => {
        this.#fail(error);
        stream.resume();
      },
    );
    this.#checks.push(check);
  }

  /** One file of the token's allowance (shared by every node), then the pre-upload hook's answer. */
  async #admit(
    name: string,
    type: string,
    expected: number | null,
  ): Promise<Record<string, string> | undefined> {
    const { grant, preUploadHook: hook, ref } = this.#options;
    if (grant) {
      if (!(await grant.takeFile())) throw new errors.UPLOAD_TOKEN_USED_UP(grant.claims.maxFiles);
      // Failed meanwhile: #discard gave back the files it knew of, so this one goes back here.
      if (this.#failure) grant.returnFiles(1);
      else this.#granted += 1;
    }
    if (this.#failure || !hook) return undefined;
    const { meta } = await hook.check({
      kind: 'multipart',
      name,
      type,
      expected,
      metadata: {},
      headers: this.#request.headers,
      ref,
    });
    return meta;
  }

  #startFile(
    stream: BusboyFileStream,
    name: string,
    type: string,
    next: NextFile,
    meta?: Record<string, string>,
  ): void {
    const { config, storage, observer } = this.#options;
    const id = newUploadId();
    const upload: Upload = {
      id,
      ...(this.#options.ref !== undefined && { ref: this.#options.ref }),
      name,
      type,
      size: 0,
      expected: next.expected,
      status: 'uploading',
      ...(next.thumbnail !== undefined && { thumbnail: next.thumbnail }),
      ...(next.path !== undefined && { path: next.path }),
      ...(meta !== undefined && { meta }),
      createdAt: new Date().toISOString(),
    };
    observer.started(upload);
    const writer = storage.blobs.stage(id, {
      written: (total) => {
        upload.size = total;
        observer.progress(upload);
      },
      drain: () => this.#release(entry),
      error: (error) => this.#fail(storageError(error)),
    });
    const hash = config.checksum === 'sha256' ? createHash('sha256') : null;
    const entry: FileEntry = { upload, writer, received: 0, stored: 0, hash, written: Promise.resolve() };
    this.#files.push(entry);

    stream.on('data', (chunk: Buffer) => {
      hash?.update(chunk);
      entry.received += chunk.length;
      if (!writer.push(chunk)) this.#hold(entry);
      if (upload.expected !== null && entry.received > upload.expected) {
        this.#fail(new errors.UPLOAD_SIZE_MISMATCH(`more than ${upload.expected}`, upload.expected));
      }
    });
    entry.written = new Promise<void>((resolve) => stream.once('end', resolve)).then(async () => {
      if (this.#failure) return;
      if (upload.expected !== null && entry.received !== upload.expected) {
        return this.#fail(new errors.UPLOAD_SIZE_MISMATCH(entry.received, upload.expected));
      }
      try {
        entry.stored = await writer.finish();
      } catch (error) {
        this.#fail(storageError(error as NodeJS.ErrnoException));
      }
    });
  }

  /** The parser saw the closing boundary: wait for the last writes, then commit every file together. */
  async #commit(): Promise<void> {
    if (this.#failure) return;
    await Promise.all(this.#checks);
    if (this.#failure) return;
    if (this.#files.length === 0) return this.#fail(new errors.UPLOAD_NO_FILE());
    await Promise.all(this.#files.map((entry) => entry.written));
    if (this.#failure) return;
    this.#committing = true;
    const completedAt = new Date().toISOString();
    const completed = this.#files.map(({ upload, stored, hash }) => ({
      upload: {
        ...upload,
        size: stored,
        status: 'completed' as const,
        ...(hash && { sha256: hash.digest('hex') }),
        completedAt,
        url: contentUrl(upload.id),
      },
      from: 'staged' as const,
    }));
    const { storage, index, observer } = this.#options;
    try {
      await storage.commit(completed);
    } catch (error) {
      this.#committing = false;
      return this.#fail(storageError(error as NodeJS.ErrnoException));
    }
    for (const [i, { upload }] of this.#files.entries()) {
      Object.assign(upload, completed[i]!.upload);
      index.insert(completed[i]!.upload);
    }
    for (const { upload } of this.#files) observer.completed(upload);
    this.#resolve(this.#files.map((entry) => entry.upload));
  }

  /** The first failure wins: stop reading, remove every staged blob, tell the observer, reject. */
  #fail(error: IngestError): void {
    if (this.#failure || this.#committing) return;
    this.#failure = error;
    this.#stopReading();
    void this.#discard(error);
  }

  async #discard(error: IngestError): Promise<void> {
    await Promise.all(this.#files.map((entry) => entry.writer.destroy()));
    const { observer, grant } = this.#options;
    grant?.returnFiles(this.#granted);
    for (const { upload } of this.#files) {
      if (error.code === 'UPLOAD_ABORTED') {
        upload.status = 'aborted';
        observer.aborted(upload);
      } else {
        upload.status = 'failed';
        observer.failed(upload, { code: error.code ?? 'INTERNAL_SERVER_ERROR', message: error.message });
      }
    }
    this.#reject(error);
  }
}
