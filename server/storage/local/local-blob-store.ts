// The bytes on local disk: staged blobs in `.tmp/`, resumable blobs in `.resumable/`, completed
// content in UPLOAD_DIR (layout in disk-layout.ts).
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Upload } from '../../uploads/upload.js';
import type { BlobStore, BlobWriter, BlobWriterEvents, ByteRange, DownloadHeaders } from '../storage.js';
import { type DiskLayout, ignoreMissing, syncDir } from './disk-layout.js';
import { FileWriter } from './file-writer.js';

export class LocalBlobStore implements BlobStore {
  readonly #layout: DiskLayout;

  constructor(layout: DiskLayout) {
    this.#layout = layout;
  }

  stage(id: string, events: BlobWriterEvents): BlobWriter {
    return new FileWriter(this.#layout.staged(id), { mode: 'create', offset: 0 }, events);
  }

  async discard(id: string): Promise<void> {
    await Promise.all([
      rm(this.#layout.staged(id), { force: true }),
      rm(this.#layout.stagedRecord(id), { force: true }),
    ]);
  }

  async createResumable(id: string): Promise<void> {
    // Created on first use, so a directory that never saw a tus upload keeps today's layout.
    await mkdir(this.#layout.resumableDir, { recursive: true });
    const file = await open(this.#layout.resumable(id), 'wx', 0o640);
    await file.close();
    await syncDir(this.#layout.resumableDir);
  }

  async resumableOffset(id: string): Promise<number | null> {
    try {
      return (await stat(this.#layout.resumable(id))).size;
    } catch (error) {
      ignoreMissing(error as NodeJS.ErrnoException);
      return null;
    }
  }

  append(id: string, offset: number, events: BlobWriterEvents): BlobWriter {
    return new FileWriter(this.#layout.resumable(id), { mode: 'append', offset }, events);
  }

  async readResumable(id: string): Promise<Readable> {
    const file = await open(this.#layout.resumable(id));
    const { size } = await file.stat();
    if (size === 0) {
      await file.close();
      return Readable.from([]);
    }
    return createReadStream('', { fd: file, start: 0, end: size - 1 });
  }

  async concatenate(id: string, parts: readonly string[]): Promise<void> {
    const target = await open(this.#layout.resumable(id), 'r+');
    try {
      await target.truncate(0);
      let position = 0;
      for (const part of parts) {
        for await (const chunk of createReadStream(this.#layout.resumable(part)) as AsyncIterable<Buffer>) {
          const { bytesWritten } = await target.write(chunk, 0, chunk.length, position);
          position += bytesWritten;
        }
      }
      await target.sync();
    } finally {
      await target.close();
    }
  }

  async removeResumable(id: string): Promise<void> {
    await rm(this.#layout.resumable(id), { force: true });
  }

  async read(id: string, range: ByteRange | null): Promise<Readable> {
    // Opened before it resolves: a file deleted meanwhile rejects here (ENOENT), not mid-stream.
    const file = await open(this.#layout.data(id));
    // Always an explicit end: a FileHandle stream left to find EOF by itself was seen to never end
    // now and then (Node 20.19), holding its keep-alive connection open forever.
    const { start, end } = range ?? { start: 0, end: (await file.stat()).size - 1 };
    if (end < start) {
      await file.close();
      return Readable.from([]);
    }
    return createReadStream('', { fd: file, start, end });
  }

  async downloadUrl(_upload: Upload, _headers: DownloadHeaders): Promise<string | null> {
    return null;
  }
}
