// What becomes of a tus upload nobody is writing: after UPLOAD_IDLE_TIMEOUT watchers hear it is
// paused, after TUS_EXPIRATION it is removed (issue 10, Build 8). Both only when no request holds the
// upload's lock, and the lock is shared by every node in cluster mode (issue 12, Build 1): a PATCH
// running through another node is never swept, nor announced paused by a node that saw an earlier one.
import type { FastifyBaseLogger } from 'fastify';
import type { RecordStore, ResumableRecord } from '../storage/storage.js';
import type { UploadLocks } from './upload-lock.js';

export interface IdleUploadsOptions {
  locks: UploadLocks;
  records: RecordStore;
  log: FastifyBaseLogger;
  /** Removes an expired upload's bytes and record, and tells watchers (called under its lock). */
  remove(record: ResumableRecord): Promise<void>;
}

export class IdleUploads {
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: IdleUploadsOptions) {}

  sweepEvery(ms: number): void {
    clearInterval(this.#sweepTimer);
    this.#sweepTimer = setInterval(() => void this.sweep(), ms).unref();
  }

  close(): void {
    clearInterval(this.#sweepTimer);
  }

  /**
   * Between two PATCHes: `announce` (paused) runs unless a request is writing the upload now, or has
   * written it since `record` was stored (the node that served it decides then). The lock is held
   * while announcing, so a PATCH starting meanwhile is announced after it.
   */
  async pauseIfIdle(record: ResumableRecord, announce: () => void): Promise<void> {
    const { id } = record.upload;
    const lease = await this.o.locks.tryAcquire(id).catch(() => null);
    if (!lease) return;
    try {
      const stored = await this.o.records.getResumable(id);
      if (stored?.expiresAt === record.expiresAt) announce();
    } catch (error) {
      this.o.log.warn({ err: error, id }, 'tus: could not tell whether an idle upload is paused');
    } finally {
      await lease.release();
    }
  }

  /** Removes every expired unfinished upload that no request is writing: its PATCH renews the expiry. */
  async sweep(): Promise<void> {
    const now = Date.now();
    let records: ResumableRecord[];
    try {
      records = await this.o.records.loadResumable();
    } catch (error) {
      this.o.log.error({ err: error }, 'tus expiry sweep could not list uploads');
      return;
    }
    for (const record of records) {
      if (Date.parse(record.expiresAt) > now) continue;
      await this.#removeIfExpired(record.upload.id).catch((error: unknown) =>
        this.o.log.error({ err: error, id: record.upload.id }, 'tus expiry sweep could not remove an upload'),
      );
    }
  }

  /** Under the lock, read again: a PATCH that ended since the listing has renewed the expiry. */
  async #removeIfExpired(id: string): Promise<void> {
    const lease = await this.o.locks.tryAcquire(id);
    if (!lease) return;
    try {
      const record = await this.o.records.getResumable(id);
      if (record && Date.parse(record.expiresAt) <= Date.now()) await this.o.remove(record);
    } finally {
      await lease.release();
    }
  }
}
