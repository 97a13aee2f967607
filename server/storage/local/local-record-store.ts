// The records on local disk: a completed upload's `<id>.json` next to its bytes, and an unfinished
// resumable upload's `.resumable/<id>.json`. Every write is temp-then-rename (disk-layout.ts).
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Upload } from '../../uploads/upload.js';
import { isUploadId } from '../../uploads/upload-id.js';
import { describesCompletedUpload } from '../completed-record.js';
import type { RecordStore, ResumableRecord } from '../storage.js';
import { type DiskLayout, ignoreMissing, uniqueTemp, writeJsonAtomically } from './disk-layout.js';

const JSON_SUFFIX = '.json';

export class LocalRecordStore implements RecordStore {
  readonly #layout: DiskLayout;
  readonly #log: FastifyBaseLogger;

  constructor(layout: DiskLayout, log: FastifyBaseLogger) {
    this.#layout = layout;
    this.#log = log;
  }

  async loadCompleted(): Promise<Upload[]> {
    const uploads: Upload[] = [];
    for (const id of recordIds(await readdir(this.#layout.dir))) {
      const upload = await this.#readCompleted(id);
      if (upload) uploads.push(upload);
    }
    return uploads;
  }

  async #readCompleted(id: string): Promise<Upload | null> {
    const file = this.#layout.record(id);
    try {
      const upload: unknown = JSON.parse(await readFile(file, 'utf8'));
      const valid = describesCompletedUpload(upload, id, (await stat(this.#layout.data(id))).size);
      if (valid) return upload;
      this.#log.warn({ file }, 'skipping sidecar that does not describe a complete upload');
    } catch (error) {
      this.#log.warn({ file, err: error }, 'skipping unreadable sidecar');
    }
    return null;
  }

  async loadResumable(): Promise<ResumableRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.#layout.resumableDir);
    } catch (error) {
      ignoreMissing(error as NodeJS.ErrnoException);
      return [];
    }
    const records: ResumableRecord[] = [];
    for (const id of recordIds(names)) {
      const record = await this.getResumable(id).catch((error: Error) => {
        this.#log.warn({ file: this.#layout.resumableRecord(id), err: error }, 'skipping unreadable record');
        return null;
      });
      if (record) records.push(record);
    }
    return records;
  }

  async getResumable(id: string): Promise<ResumableRecord | null> {
    try {
      return JSON.parse(await readFile(this.#layout.resumableRecord(id), 'utf8')) as ResumableRecord;
    } catch (error) {
      ignoreMissing(error as NodeJS.ErrnoException);
      return null;
    }
  }

  async putResumable(record: ResumableRecord): Promise<void> {
    const { id } = record.upload;
    await mkdir(this.#layout.resumableDir, { recursive: true });
    await writeJsonAtomically(uniqueTemp(this.#layout, id), this.#layout.resumableRecord(id), record);
  }

  async removeResumable(id: string): Promise<void> {
    await unlink(this.#layout.resumableRecord(id)).catch(ignoreMissing);
  }
}

/** The upload ids of the `<id>.json` records among a directory's names. */
function recordIds(names: readonly string[]): string[] {
  return names
    .filter((name) => name.endsWith(JSON_SUFFIX))
    .map((name) => name.slice(0, -JSON_SUFFIX.length))
    .filter(isUploadId);
}
