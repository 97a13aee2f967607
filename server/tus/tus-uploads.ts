// The tus room's state: every unfinished resumable upload, what it may still receive, and what
// watchers are told about it. The handlers (one per method) parse HTTP and call in here; this file
// talks to storage (the ResumableRecord is the truth, the blob's durable length is the offset) and to
// the observer. Data flows one way: handler → here → storage/ → observer.
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { errors } from '../errors.js';
import type { PreUploadHook } from '../integrations/pre-upload-hook.js';
import type { ResumableRecord, Storage } from '../storage/storage.js';
import { formatBytes } from '../uploads/byte-size.js';
import { isTypeAllowed } from '../uploads/media-type.js';
import { storageError } from '../uploads/storage-error.js';
import type { Upload } from '../uploads/upload.js';
import { newUploadId } from '../uploads/upload-id.js';
import { findUpload, type UploadIndex } from '../uploads/upload-index.js';
import type { UploadObserver } from '../uploads/upload-observer.js';
import { appendBody } from './body-append.js';
import type { GoneUploads } from './gone-uploads.js';
import { IdleUploads } from './idle-uploads.js';
import { GROUP_METADATA_KEY } from './parallel-groups.js';
import { RunningHashes } from './running-hashes.js';
import {
  declareLength,
  describedFile,
  isEmptyBody,
  type NewUpload,
  type PatchInput,
  type PatchOutcome,
  requestEnd,
  type UploadState,
} from './tus-requests.js';
import { completeUpload, isDue, storing } from './upload-completion.js';
import type { UploadLease, UploadLocks } from './upload-lock.js';
import { TusWatcherView } from './watcher-view.js';

/** How long a request waits for another one on the same upload to let go before answering 423. */
const LOCK_WAIT_MS = 3000;

export interface TusUploadsOptions {
  config: Config;
  storage: Storage;
  /** The completed uploads (GET /api/uploads): a finished tus upload is inserted once committed. */
  index: Pick<UploadIndex, 'get' | 'insert' | 'settled'>;
  observer: UploadObserver;
  locks: UploadLocks;
  /** Terminated and expired ids, for 410 (shared by every node in cluster mode). */
  gone: GoneUploads;
  log: FastifyBaseLogger;
  /** HOOK_PRE_UPLOAD_URL: asked at creation, before anything is stored (integrations/). */
  preUploadHook?: PreUploadHook | null;
}

export class TusUploads {
  readonly #o: TusUploadsOptions;
  readonly #view: TusWatcherView;
  readonly #hashes: RunningHashes;
  /** Requests writing right now on this node: stopped, and waited for, on shutdown. */
  readonly #writing = new Map<string, Promise<unknown>>();
  readonly #idle: IdleUploads;
  readonly #stopAll = new AbortController();

  constructor(options: TusUploadsOptions) {
    this.#o = options;
    this.#view = new TusWatcherView(options.observer, options.config.uploadIdleTimeoutMs);
    this.#hashes = new RunningHashes(options.log);
    this.#idle = new IdleUploads({
      locks: options.locks,
      records: options.storage.records,
      log: options.log,
      remove: (record) => this.#remove(record, 'expired'),
    });
  }

  get idleTimeoutMs(): number {
    return this.#o.config.uploadIdleTimeoutMs;
  }

  /** True once close() began: a write stopped now was stopped by the shutdown. */
  get closing(): boolean {
    return this.#stopAll.signal.aborted;
  }

  /** Completes the upload (upload-completion.ts); the caller holds its lock. */
  #complete(record: ResumableRecord, size: number): Promise<Upload> {
    const { config, storage, index } = this.#o;
    return completeUpload({ config, storage, index, hashes: this.#hashes, view: this.#view }, record, size);
  }

  get #blobs() {
    return this.#o.storage.blobs;
  }

  get #records() {
    return this.#o.storage.records;
  }

  /** Start-up: every unfinished upload is paused until a client resumes it (its size from the blob). */
  async open(): Promise<void> {
    const records = await this.#records.loadResumable();
    for (const record of records) {
      const offset = (await this.#blobs.resumableOffset(record.upload.id)) ?? 0;
      record.upload = { ...record.upload, size: offset, status: 'paused' };
      this.#view.restored(record);
    }
    this.#o.log.info({ uploads: records.length }, 'resumable uploads restored');
    this.#idle.sweepEvery(Math.min(60_000, Math.max(250, this.#o.config.tusExpirationMs / 4)));
  }

  /** Shutdown: stop every write (what arrived is made durable), wait for them. */
  async close(): Promise<void> {
    this.#idle.close();
    this.#view.close();
    this.#stopAll.abort();
    await Promise.allSettled(this.#writing.values());
  }

  #expiry(): string {
    return new Date(Date.now() + this.#o.config.tusExpirationMs).toISOString();
  }

  /** creation (+ concatenation): the one place a tus upload is born, so hooks and metrics can call out from here. */
  async create(input: NewUpload): Promise<ResumableRecord> {
    const { config } = this.#o;
    const { type, name, path } = describedFile(input.metadata);
    if (!isTypeAllowed(type, config.allowedTypes)) {
      throw new errors.UPLOAD_TYPE_NOT_ALLOWED(type, config.allowedTypes.join(', '));
    }
    let length = input.length;
    let parts: ResumableRecord[] = [];
    if (input.concat?.kind === 'final') {
      parts = await this.#finishedParts(input.concat.parts);
      length = parts.reduce((sum, part) => sum + part.upload.expected!, 0);
    }
    if (length !== null && length > config.maxFileSize) {
      throw new errors.UPLOAD_FILE_TOO_LARGE(formatBytes(config.maxFileSize));
    }
    // A partial upload is a piece of a file, not one: the hook is asked about the final upload.
    const verdict =
      input.concat?.kind === 'partial'
        ? {}
        : await this.#o.preUploadHook?.check({
            kind: 'resumable',
            name,
            type,
            expected: length,
            metadata: Object.fromEntries(input.metadata.values),
            headers: input.headers,
            ref: input.ref,
          });
    const expiresAt = this.#expiry();
    const upload: Upload = {
      id: newUploadId(),
      ...(input.ref !== undefined && { ref: input.ref }),
      name,
      type,
      size: 0,
      expected: length,
      status: 'uploading',
      createdAt: new Date().toISOString(),
      kind: 'resumable',
      expiresAt,
      ...(path !== undefined && { path }),
      ...(verdict?.meta && { meta: verdict.meta }),
    };
    const record: ResumableRecord = {
      upload,
      metadata: input.metadata.raw,
      expiresAt,
      ...(input.owner !== undefined && { owner: input.owner }),
    };
    // A tagged part of a parallel upload reserves the id its final upload (and watchers) will use.
    const reservedId =
      input.concat?.kind === 'partial' && input.metadata.values.has(GROUP_METADATA_KEY)
        ? newUploadId()
        : null;
    let knownToWatchers = false;
    if (input.concat?.kind === 'partial') {
      record.concat = { kind: 'partial', ...(reservedId && { finalId: reservedId }) };
    } else if (input.concat?.kind === 'final') {
      record.concat = { kind: 'final', parts: input.concat.parts };
      const groupId = this.#view.finalIdFor(input.concat.parts);
      if (groupId) upload.id = groupId;
      knownToWatchers = groupId !== null;
    }
    await storing(() => this.#blobs.createResumable(upload.id));
    await storing(() => this.#records.putResumable(record));
    this.#hashes.start(upload.id);
    if (!knownToWatchers) {
      const groupId = this.#view.created(record, reservedId);
      // Parts created at the same moment may have reserved different ids: the group's first one wins.
      if (record.concat?.kind === 'partial' && groupId && groupId !== record.concat.finalId) {
        record.concat.finalId = groupId;
        await storing(() => this.#records.putResumable(record));
      }
    }
    if (input.concat?.kind === 'final') {
      await this.#concatenate(record, parts);
    } else if (length === 0 && input.concat?.kind !== 'partial') {
      await this.#complete(record, 0);
    }
    return record;
  }

  async #finishedParts(ids: string[]): Promise<ResumableRecord[]> {
    const parts: ResumableRecord[] = [];
    for (const id of ids) {
      const part = await this.#records.getResumable(id);
      if (part?.concat?.kind !== 'partial') {
        throw new errors.TUS_CONCAT_INVALID(`${id} is not a partial upload`);
      }
      const offset = await this.#blobs.resumableOffset(id);
      if (part.upload.expected === null || offset !== part.upload.expected) {
        throw new errors.TUS_CONCAT_INVALID(`partial upload ${id} is not complete`);
      }
      parts.push(part);
    }
    return parts;
  }

  async #concatenate(record: ResumableRecord, parts: ResumableRecord[]): Promise<void> {
    const partIds = parts.map((part) => part.upload.id);
    await storing(() => this.#blobs.concatenate(record.upload.id, partIds));
    await this.#complete(record, record.upload.expected!);
    for (const id of partIds) {
      this.#hashes.drop(id);
      await this.#records.removeResumable(id);
      await this.#blobs.removeResumable(id);
    }
  }

  /**
   * HEAD: where to resume. Like tusd, it takes the upload's lock: a PATCH still running is one its
   * client has given up on (it asks where to resume), so it is stopped and makes its bytes durable
   * first; the offset answered is then never more than what is durable.
   */
  async head(id: string): Promise<UploadState> {
    const lease = await this.#o.locks.acquire(id, LOCK_WAIT_MS);
    if (!lease) throw new errors.TUS_UPLOAD_LOCKED(id);
    try {
      const state = await this.state(id);
      if (!state.record || !isDue(state.record, state.offset)) return state;
      return {
        record: null,
        completed: await this.#complete(state.record, state.offset),
        offset: state.offset,
      };
    } finally {
      await lease.release();
    }
  }

  /** The upload's record and stored offset; 404 unknown, 410 terminated or expired. */
  async state(id: string): Promise<UploadState> {
    const record = await this.#records.getResumable(id);
    if (!record) {
      // Completed a moment ago, perhaps through another node whose event has not reached this one.
      const completed = await findUpload(this.#o.index, id);
      if (completed?.kind === 'resumable') return { record: null, completed, offset: completed.size };
      throw await this.#unknown(id);
    }
    if (Date.parse(record.expiresAt) <= Date.now()) throw new errors.TUS_UPLOAD_GONE(id);
    const offset = (await this.#blobs.resumableOffset(id)) ?? 0;
    return { record, completed: null, offset };
  }

  /** 410 for an id terminated or expired (if still remembered, or Redis cannot say: then 404). */
  async #unknown(id: string) {
    const gone = await this.#o.gone.has(id).catch(() => false);
    return gone ? new errors.TUS_UPLOAD_GONE(id) : new errors.UPLOAD_NOT_FOUND(id);
  }

  /**
   * PATCH (and creation-with-upload): under the upload's lock, append the body at `offset`, make it
   * durable, record the new offset and expiry, and complete the upload when the last byte is in.
   * `beforeBody` runs once every check has passed (the handler sends 100 Continue there).
   */
  async patch(
    id: string,
    request: IncomingMessage,
    input: PatchInput,
    beforeBody: () => void,
  ): Promise<PatchOutcome> {
    const lease = await this.#o.locks.acquire(id, LOCK_WAIT_MS);
    if (!lease) throw new errors.TUS_UPLOAD_LOCKED(id);
    const work = this.#patchLocked(id, request, input, beforeBody, lease);
    this.#writing.set(id, work);
    try {
      return await work;
    } finally {
      if (this.#writing.get(id) === work) this.#writing.delete(id);
      await lease.release();
    }
  }

  async #patchLocked(
    id: string,
    request: IncomingMessage,
    input: PatchInput,
    beforeBody: () => void,
    lease: UploadLease,
  ): Promise<PatchOutcome> {
    const { record, offset } = await this.state(id);
    if (!record || record.concat?.kind === 'final') throw new errors.TUS_UPLOAD_COMPLETE(id);
    if (input.offset !== offset) throw new errors.TUS_OFFSET_MISMATCH(input.offset, offset);
    const upload = record.upload;
    if (input.length !== undefined) declareLength(record, input.length, offset, this.#o.config.maxFileSize);
    if (isDue(record, offset)) {
      // Completing failed before (upload-completion.ts): nothing more fits, an empty body completes it.
      beforeBody();
      if (!(await isEmptyBody(request))) throw new errors.TUS_LENGTH_EXCEEDED(offset);
      const completed = await this.#complete(record, offset);
      return { result: { end: 'complete', offset, sha256: null, checksumOk: true }, record, completed };
    }

    Object.assign(upload, { status: 'uploading', size: offset, expiresAt: this.#expiry() });
    this.#view.writing(record);
    beforeBody();
    const result = await appendBody(request, {
      open: (events) => this.#blobs.append(id, offset, events),
      room: (upload.expected ?? this.#o.config.maxFileSize) - offset,
      checksum: input.checksum,
      sha256: this.#hashes.at(id, offset),
      progress: (total) => {
        upload.size = total;
        this.#view.progress(record);
      },
      stop: AbortSignal.any([lease.stopRequested, this.#stopAll.signal]),
      idleTimeoutMs: this.#o.config.uploadIdleTimeoutMs,
    });
    const stored = result.offset >= 0 ? result.offset : ((await this.#blobs.resumableOffset(id)) ?? offset);
    if (result.offset >= 0) this.#hashes.advanced(id, result.sha256, stored);
    upload.size = stored;
    if (input.last && upload.expected === null && result.end === 'complete') upload.expected = stored;
    // Idle from now on: a PATCH that ran longer than TUS_EXPIRATION is not born expired.
    record.expiresAt = upload.expiresAt = this.#expiry();
    await storing(() => this.#records.putResumable(record));

    let completed: Upload | null = null;
    if (isDue(record, stored)) {
      completed = await this.#complete(record, stored).catch((error: unknown) => {
        this.#view.stopped(record, 'cut-off', async () => {});
        throw error;
      });
    } else {
      this.#view.stopped(record, requestEnd(result.end), (announce) =>
        this.#idle.pauseIfIdle(record, announce),
      );
    }
    if (result.storageError) throw storageError(result.storageError as NodeJS.ErrnoException);
    return { result, record, completed };
  }

  /** termination: asks a PATCH in flight to stop, then removes bytes and record; later requests get 410. */
  async terminate(id: string): Promise<void> {
    const lease = await this.#o.locks.acquire(id, LOCK_WAIT_MS);
    if (!lease) throw new errors.TUS_UPLOAD_LOCKED(id);
    try {
      const record = await this.#records.getResumable(id);
      if (!record) throw await this.#unknown(id);
      await this.#remove(record, 'aborted');
    } finally {
      await lease.release();
    }
  }

  async #remove(record: ResumableRecord, how: 'aborted' | 'expired'): Promise<void> {
    const { id } = record.upload;
    await this.#records.removeResumable(id);
    await this.#blobs.removeResumable(id);
    this.#hashes.drop(id);
    await this.#o.gone
      .add(id)
      .catch((error: unknown) =>
        this.#o.log.warn({ err: error, id }, 'tus: removed id not remembered for 410'),
      );
    this.#view.removed(record, how);
  }
}
