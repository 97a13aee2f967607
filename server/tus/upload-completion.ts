// The end of a tus upload: offset = length. Its SHA-256 (running, or recomputed from the stored bytes),
// then the commit that makes it a completed upload, listed and announced. Completion may fail (a storage
// error, a crash between the last byte and the commit): the upload then stays resumable at offset =
// length, and the next HEAD or empty PATCH completes it (tus-uploads.ts), for HEAD's offset = length
// alone tells a client such as tus-js-client that it is done.
import type { Config } from '../config.js';
import type { ResumableRecord, Storage } from '../storage/storage.js';
import { storageError } from '../uploads/storage-error.js';
import type { Upload } from '../uploads/upload.js';
import { contentUrl } from '../uploads/upload-id.js';
import type { UploadIndex } from '../uploads/upload-index.js';
import type { RunningHashes } from './running-hashes.js';
import type { TusWatcherView } from './watcher-view.js';

export interface CompletionOptions {
  config: Pick<Config, 'checksum'>;
  storage: Storage;
  index: Pick<UploadIndex, 'insert'>;
  hashes: RunningHashes;
  view: TusWatcherView;
}

/**
 * Every byte is stored and the upload is not completed yet. A partial upload is never completed on
 * its own: its bytes wait for the final upload (tus 1.0 §concatenation).
 */
export function isDue(record: ResumableRecord, offset: number): boolean {
  return (
    record.concat?.kind !== 'partial' && record.upload.expected !== null && offset === record.upload.expected
  );
}

/** Completes the upload of `record`, `size` bytes long; the caller holds the upload's lock. */
export async function completeUpload(
  o: CompletionOptions,
  record: ResumableRecord,
  size: number,
): Promise<Upload> {
  const { upload } = record;
  const sha256 =
    o.config.checksum === 'sha256'
      ? await storing(() => o.hashes.digest(upload.id, size, () => o.storage.blobs.readResumable(upload.id)))
      : undefined;
  const { expiresAt: _e, ...rest } = upload;
  const completed: Upload = {
    ...rest,
    size,
    status: 'completed',
    ...(sha256 !== undefined && { sha256 }),
    completedAt: new Date().toISOString(),
    url: contentUrl(upload.id),
  };
  await storing(() => o.storage.commit([{ upload: completed, from: 'resumable' }]));
  record.upload = completed;
  o.index.insert(completed);
  o.view.completed(completed);
  return completed;
}

/** Storage errors reach the client as 507/503/500 (storage-error.ts), never with their paths. */
export async function storing<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw storageError(error as NodeJS.ErrnoException);
  }
}
