// Where local-disk storage keeps everything under UPLOAD_DIR (DESIGN.md §4 "Storage", docs/storage.md):
//   <id>                     a completed upload's bytes, renamed into place only once fsynced
//   <id>.json                its record (the completed Upload), written temp-then-rename
//   .tmp/<id>                a staged blob still arriving (a multipart file part)
//   .tmp/<id>[.<n>].json     a record being written, renamed into place when complete
//   .resumable/<id>          an unfinished resumable (tus) upload's bytes, durable at every finish()
//   .resumable/<id>.json     its ResumableRecord
// Everything lives on one file system, so every move is a rename(2).
import { randomBytes } from 'node:crypto';
import { open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class DiskLayout {
  readonly dir: string;
  readonly stagingDir: string;
  readonly resumableDir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.stagingDir = join(dir, '.tmp');
    this.resumableDir = join(dir, '.resumable');
  }

  data(id: string): string {
    return join(this.dir, id);
  }

  record(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  staged(id: string): string {
    return join(this.stagingDir, id);
  }

  /** The temp file a staged upload's record is written to before its rename. */
  stagedRecord(id: string): string {
    return join(this.stagingDir, `${id}.json`);
  }

  resumable(id: string): string {
    return join(this.resumableDir, id);
  }

  resumableRecord(id: string): string {
    return join(this.resumableDir, `${id}.json`);
  }
}

/** Writes `value` as JSON to `temp` (flushed to disk), then renames it to `path`: readers see all or nothing. */
export async function writeJsonAtomically(temp: string, path: string, value: unknown): Promise<void> {
  await writeFile(temp, JSON.stringify(value), { flush: true });
  await rename(temp, path);
}

/** A temp name in the staging directory no other writer of the same record uses. */
export const uniqueTemp = (layout: DiskLayout, id: string) =>
  join(layout.stagingDir, `${id}.${randomBytes(4).toString('hex')}.json`);

/** fsync(2) of a directory: makes the renames and creations in it durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  await handle.sync().finally(() => handle.close());
}

export function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
