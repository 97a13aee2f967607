// Disk layout and the index of completed uploads (DESIGN.md §4 "Storage"):
//   UPLOAD_DIR/<id>        the bytes, renamed into place only once complete and fsynced
//   UPLOAD_DIR/<id>.json   the sidecar: the completed Upload object, written temp-then-rename
//   UPLOAD_DIR/.tmp/       files still arriving; anything left there at start-up is a dead upload
// The in-memory index is rebuilt from the sidecars at start-up; the sidecars are the truth.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Upload } from './upload.js';
import { UploadSearch } from './upload-search.js';

/** 16 random bytes (128 bits) as base64url: 22 characters, safe as a file name and in URLs. */
export const newUploadId = () => randomBytes(16).toString('base64url');
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const isUploadId = (id: string) => ID_PATTERN.test(id);

export const contentUrl = (id: string) => `/api/uploads/${id}/content`;

export interface ListPage {
  uploads: Upload[];
  /** Pass as `before` to get the next (older) page; null on the last page. */
  next: string | null;
}

export interface PendingFile {
  upload: Upload;
  tempPath: string;
}

/** Newest first: by completion time, then id, so the order is total and a cursor is stable. */
const sortKey = (upload: Upload) => `${upload.completedAt}\u0000${upload.id}`;

export class UploadStore {
  readonly dir: string;
  readonly tempDir: string;
  readonly #log: FastifyBaseLogger;
  readonly #byId = new Map<string, Upload>();
  /** Completed uploads, oldest first (appends are the common case). */
  #ordered: Upload[] = [];
  /** The same uploads, for GET /api/uploads?q=&type=&status= (kept in step with #ordered). */
  readonly search = new UploadSearch();

  constructor(dir: string, log: FastifyBaseLogger) {
    this.dir = dir;
    this.tempDir = join(dir, '.tmp');
    this.#log = log;
  }

  /** Start-up: create the directories, drop dead temp files, rebuild the index from the sidecars. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await rm(this.tempDir, { recursive: true, force: true });
    await mkdir(this.tempDir);
    const names = new Set(await readdir(this.dir));
    const uploads: Upload[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const upload = await this.#readSidecar(name.slice(0, -'.json'.length));
      if (upload) uploads.push(upload);
    }
    // A data file without a sidecar is a commit cut short by a crash: it never completed.
    for (const name of names) {
      if (isUploadId(name) && !names.has(`${name}.json`)) {
        this.#log.warn({ file: join(this.dir, name) }, 'removing data file without a sidecar');
        await rm(join(this.dir, name), { force: true });
      }
    }
    this.#ordered = uploads.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    for (const upload of uploads) {
      this.#byId.set(upload.id, upload);
      this.search.add(upload);
    }
    this.#log.info({ dir: this.dir, uploads: uploads.length }, 'upload index rebuilt');
  }

  async #readSidecar(id: string): Promise<Upload | null> {
    const file = join(this.dir, `${id}.json`);
    try {
      const upload = JSON.parse(await readFile(file, 'utf8')) as Upload;
      const valid =
        isUploadId(id) &&
        upload?.id === id &&
        upload.status === 'completed' &&
        typeof upload.name === 'string' &&
        typeof upload.type === 'string' &&
        Number.isSafeInteger(upload.size) &&
        typeof upload.createdAt === 'string' &&
        typeof upload.completedAt === 'string' &&
        (await stat(join(this.dir, id))).size === upload.size;
      if (valid) return { ...upload, url: contentUrl(id) };
      this.#log.warn({ file }, 'skipping sidecar that does not describe a complete upload');
    } catch (error) {
      this.#log.warn({ file, err: error }, 'skipping unreadable sidecar');
    }
    return null;
  }

  tempPath(id: string): string {
    return join(this.tempDir, id);
  }

  dataPath(id: string): string {
    return join(this.dir, id);
  }

  /**
   * Moves every file of a request into place with its sidecar, all or none: if any step fails the
   * ones already moved are removed again and the error is rethrown. Data files are already fsynced
   * (TempFileWriter.finish); the directory is fsynced once at the end so the renames are durable.
   */
  async commit(files: readonly PendingFile[]): Promise<void> {
    const moved: string[] = [];
    try {
      for (const { upload, tempPath } of files) {
        await rename(tempPath, this.dataPath(upload.id));
        moved.push(upload.id);
        const sidecarTemp = `${tempPath}.json`;
        await writeFile(sidecarTemp, JSON.stringify(upload), { flush: true });
        await rename(sidecarTemp, join(this.dir, `${upload.id}.json`));
      }
      const dir = await open(this.dir, 'r');
      await dir.sync().finally(() => dir.close());
    } catch (error) {
      await Promise.all(moved.map((id) => this.#removeFiles(id)));
      await Promise.all(files.map(({ tempPath }) => this.discard(tempPath)));
      throw error;
    }
    for (const { upload } of files) this.#insert(upload);
  }

  /** Removes a temp file (and its sidecar temp); missing files are fine. */
  async discard(tempPath: string): Promise<void> {
    await Promise.all([rm(tempPath, { force: true }), rm(`${tempPath}.json`, { force: true })]);
  }

  get(id: string): Upload | undefined {
    return this.#byId.get(id);
  }

  /** Completed uploads, newest first; `before` is the `next` cursor of the previous page. */
  list({ limit, before }: { limit: number; before?: string | undefined }): ListPage {
    let end = this.#ordered.length; // exclusive, walking backwards from the newest
    if (before !== undefined) end = this.#lowerBound(before);
    const start = Math.max(0, end - limit);
    const uploads = this.#ordered.slice(start, end).reverse();
    const last = uploads.at(-1);
    return { uploads, next: start > 0 && last ? sortKeyCursor(last) : null };
  }

  /** Removes a completed upload's bytes and sidecar. False when there is no such upload. */
  async delete(id: string): Promise<boolean> {
    const upload = this.#byId.get(id);
    if (!upload) return false;
    this.#byId.delete(id);
    this.#ordered.splice(this.#lowerBound(sortKeyCursor(upload)), 1);
    this.search.remove(id);
    await this.#removeFiles(id);
    return true;
  }

  async #removeFiles(id: string): Promise<void> {
    // Sidecar first: a crash in between leaves a data file without sidecar, which open() removes.
    await unlink(join(this.dir, `${id}.json`)).catch(ignoreMissing);
    await unlink(this.dataPath(id)).catch(ignoreMissing);
  }

  #insert(upload: Upload): void {
    this.#byId.set(upload.id, upload);
    this.#ordered.splice(this.#lowerBound(sortKeyCursor(upload)), 0, upload);
    this.search.add(upload);
  }

  /** Index of the first upload whose key is ≥ the cursor's key. */
  #lowerBound(cursor: string): number {
    const key = cursorKey(cursor);
    let lo = 0;
    let hi = this.#ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortKey(this.#ordered[mid]!) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

// A cursor names a position, not an upload, so it stays valid when that upload is deleted:
// "<completedAt as epoch ms>.<id>".
const sortKeyCursor = (upload: Upload) => `${Date.parse(upload.completedAt!)}.${upload.id}`;

function cursorKey(cursor: string): string {
  const dot = cursor.indexOf('.');
  const ms = Number(cursor.slice(0, dot));
  return `${new Date(ms).toISOString()}\u0000${cursor.slice(dot + 1)}`;
}

/** A cursor as produced by list(); anything else is a client error. */
export const isListCursor = (cursor: string) =>
  /^\d{1,15}\.[A-Za-z0-9_-]{22}$/.test(cursor) &&
  !Number.isNaN(new Date(Number(cursor.split('.')[0])).getTime());

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
