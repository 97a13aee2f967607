// Local-disk storage (STORAGE=local, the default): blobs and records under UPLOAD_DIR, commits by
// rename(2) with one directory fsync, and a start-up sweep of whatever a crash left half done.
//
// Several nodes may share one UPLOAD_DIR (issue 12: a directory all nodes mount). Then no node can
// tell a crashed node's leftovers from a live node's work by looking, so with `shared` a node only
// sweeps what has not changed for `staleAfterMs` (ctime: every write and every rename touches it),
// at start-up and then periodically, well past the time any live upload may sit idle
// (UPLOAD_IDLE_TIMEOUT) before its own node cuts it off and removes it.
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { isUploadId } from '../../uploads/upload-id.js';
import type { Completion, Storage } from '../storage.js';
import { DiskLayout, ignoreMissing, syncDir, writeJsonAtomically } from './disk-layout.js';
import { LocalBlobStore } from './local-blob-store.js';
import { LocalRecordStore } from './local-record-store.js';

export interface LocalStorageOptions {
  dir: string;
  log: FastifyBaseLogger;
  /** Other live nodes use the same directory: sweep only leftovers older than `staleAfterMs`. */
  shared?: boolean;
  /** How long a staged leftover must be untouched before a shared sweep removes it. */
  staleAfterMs?: number;
}

export class LocalStorage implements Storage {
  readonly blobs: LocalBlobStore;
  readonly records: LocalRecordStore;
  readonly #layout: DiskLayout;
  readonly #log: FastifyBaseLogger;
  readonly #shared: boolean;
  readonly #staleAfterMs: number;
  #sweeper: NodeJS.Timeout | undefined;

  constructor({ dir, log, shared = false, staleAfterMs = 10 * 60_000 }: LocalStorageOptions) {
    this.#layout = new DiskLayout(dir);
    this.#log = log;
    this.#shared = shared;
    this.#staleAfterMs = staleAfterMs;
    this.blobs = new LocalBlobStore(this.#layout);
    this.records = new LocalRecordStore(this.#layout, log);
  }

  async open(): Promise<void> {
    const { dir, stagingDir } = this.#layout;
    await mkdir(dir, { recursive: true });
    if (this.#shared) {
      await mkdir(stagingDir, { recursive: true });
      await this.#sweep();
      this.#sweeper = setInterval(() => {
        this.#sweep().catch((error: Error) => this.#log.warn({ err: error }, 'sweep of UPLOAD_DIR failed'));
      }, this.#staleAfterMs / 2).unref();
    } else {
      // Alone on this directory: whatever is staged belongs to a process that is gone.
      await rm(stagingDir, { recursive: true, force: true });
      await mkdir(stagingDir);
      await this.#sweep();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  /** Staged leftovers, completions cut short by a crash, records of resumable uploads that completed. */
  async #sweep(): Promise<void> {
    const { dir, stagingDir } = this.#layout;
    if (this.#shared) {
      for (const name of await readdir(stagingDir)) {
        if (await this.#isStale(`${stagingDir}/${name}`)) await rm(`${stagingDir}/${name}`, { force: true });
      }
    }
    const names = new Set(await readdir(dir));
    for (const id of names) {
      if (!isUploadId(id) || names.has(`${id}.json`)) continue;
      // A data file without its record: a commit cut short (or, shared, one still running: wait).
      if (this.#shared && !(await this.#isStale(this.#layout.data(id)))) continue;
      // A resumable upload's bytes go back, so the upload can be resumed and completed again.
      if (await this.#returnToResumable(id)) continue;
      this.#log.warn({ file: this.#layout.data(id) }, 'removing data file without a sidecar');
      await rm(this.#layout.data(id), { force: true });
    }
    // A resumable record whose upload has a completed record: its commit finished but for this.
    for (const record of await this.records.loadResumable()) {
      const { id } = record.upload;
      if (names.has(`${id}.json`) && names.has(id)) {
        await this.records.removeResumable(id);
        await this.blobs.removeResumable(id);
      }
    }
  }

  async #returnToResumable(id: string): Promise<boolean> {
    if ((await this.records.getResumable(id)) === null) return false;
    if ((await this.blobs.resumableOffset(id)) !== null) return false;
    await rename(this.#layout.data(id), this.#layout.resumable(id));
    this.#log.warn({ id }, 'completion cut short: the upload is resumable again');
    return true;
  }

  async #isStale(path: string): Promise<boolean> {
    try {
      return Date.now() - (await stat(path)).ctimeMs > this.#staleAfterMs;
    } catch {
      return false; // gone already
    }
  }

  /**
   * Moves every blob into place with its record, all or none: if any step fails the ones already
   * moved are undone (staged bytes removed, resumable bytes moved back) and the error is rethrown.
   * Blobs are already fsynced (their writer's finish()); the directory is fsynced once at the end so
   * the renames are durable. A resumable upload's record is dropped only after that.
   */
  async commit(completions: readonly Completion[]): Promise<void> {
    const layout = this.#layout;
    const moved: Completion[] = [];
    try {
      for (const completion of completions) {
        const { id } = completion.upload;
        const source = completion.from === 'staged' ? layout.staged(id) : layout.resumable(id);
        await rename(source, layout.data(id));
        moved.push(completion);
        await writeJsonAtomically(layout.stagedRecord(id), layout.record(id), completion.upload);
      }
      await syncDir(layout.dir);
      if (completions.some(({ from }) => from === 'resumable')) await syncDir(layout.resumableDir);
    } catch (error) {
      await Promise.all(moved.map((completion) => this.#undo(completion)));
      await Promise.all(
        completions
          .filter(({ from }) => from === 'staged')
          .map(({ upload }) => this.blobs.discard(upload.id)),
      );
      throw error;
    }
    for (const { upload, from } of completions) {
      if (from === 'resumable') {
        await this.records.removeResumable(upload.id).catch((error: Error) => {
          this.#log.warn({ id: upload.id, err: error }, 'resumable record left behind; removed at start-up');
        });
      }
    }
  }

  async #undo({ upload, from }: Completion): Promise<void> {
    await unlink(this.#layout.record(upload.id)).catch(() => {});
    if (from === 'resumable') await rename(this.#layout.data(upload.id), this.#layout.resumable(upload.id));
    else await rm(this.#layout.data(upload.id), { force: true });
  }

  async remove(id: string): Promise<void> {
    // Record first: a crash in between leaves a data file without a record, which open() removes.
    await unlink(this.#layout.record(id)).catch(ignoreMissing);
    await unlink(this.#layout.data(id)).catch(ignoreMissing);
  }
}
