// One request body (a PATCH, or a POST with creation-with-upload) streamed onto a resumable blob.
// Nothing is held in memory: chunks go to the BlobWriter as they arrive and the source is paused while
// the writer's queue is full. The running SHA-256 and the chunk's tus checksum are updated on the same
// buffers. The body may end four ways: complete, cut off by the client (tus 1.0 §PATCH: keep what
// arrived), past the upload's length (the rest is refused), or stopped because another request took the
// upload over (upload-lock.ts). Only a complete body can be checked against Upload-Checksum.
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { BlobWriter, BlobWriterEvents } from '../storage/storage.js';
import type { Checksum } from './headers.js';

export type BodyEnd = 'complete' | 'cut-off' | 'too-long' | 'stopped' | 'idle' | 'storage-error';

export interface AppendOptions {
  /** Opens the writer at the upload's durable offset. */
  open(events: BlobWriterEvents): BlobWriter;
  /** Bytes this body may add (what is left of Upload-Length, or of MAX_FILE_SIZE when deferred). */
  room: number;
  checksum: Checksum | null;
  /** The SHA-256 of every byte before this body, or null when it was lost (restart, another node). */
  sha256: Hash | null;
  /** After each write the backend acknowledged: `total` bytes of the blob are stored. */
  progress(total: number): void;
  stop: AbortSignal;
  idleTimeoutMs: number;
}

export interface AppendResult {
  end: BodyEnd;
  /** The blob's durable length afterwards. */
  offset: number;
  /** The running SHA-256 now including this body (null when it could not be kept). */
  sha256: Hash | null;
  /** False when the body did not match Upload-Checksum (or was cut off before it could be checked): discarded. */
  checksumOk: boolean;
  storageError?: Error;
}

export async function appendBody(request: IncomingMessage, options: AppendOptions): Promise<AppendResult> {
  const sha256 = options.sha256?.copy() ?? null;
  const chunkHash = options.checksum ? createHash(options.checksum.algorithm) : null;
  let received = 0;
  let storageError: Error | undefined;
  let writer!: BlobWriter;

  const end = await new Promise<BodyEnd>((resolve) => {
    let settled = false;
    let lastByteAt = Date.now();
    let waitingForWriter = false;
    let idleTimer: NodeJS.Timeout | undefined;
    const settle = (how: BodyEnd) => {
      if (settled) return;
      settled = true;
      clearInterval(idleTimer);
      options.stop.removeEventListener('abort', onStop);
      request.off('data', onData);
      request.pause();
      resolve(how);
    };
    writer = options.open({
      written: (total) => options.progress(total),
      drain: () => {
        waitingForWriter = false;
        lastByteAt = Date.now();
        if (!settled) request.resume();
      },
      error: (error) => {
        storageError = error;
        settle('storage-error');
      },
    });
    const onData = (chunk: Buffer) => {
      lastByteAt = Date.now();
      let part = chunk;
      const tooLong = received + chunk.length > options.room;
      if (tooLong) part = chunk.subarray(0, options.room - received);
      received += part.length;
      sha256?.update(part);
      chunkHash?.update(part);
      if (part.length > 0 && !writer.push(part)) {
        waitingForWriter = true;
        request.pause();
      }
      if (tooLong) settle('too-long');
    };
    const onStop = () => settle('stopped');
    request.on('data', onData);
    request.once('end', () => settle('complete'));
    request.once('close', () => settle(request.complete ? 'complete' : 'cut-off'));
    request.once('error', () => settle('cut-off'));
    options.stop.addEventListener('abort', onStop);
    // No byte for idleTimeoutMs ends the body like a cut-off; time paused on our own writer does not count.
    idleTimer = setInterval(
      () => {
        if (!waitingForWriter && Date.now() - lastByteAt >= options.idleTimeoutMs) settle('idle');
      },
      Math.max(100, options.idleTimeoutMs / 4),
    );
    if (options.stop.aborted) settle('stopped');
  });

  const verified =
    chunkHash === null || (end === 'complete' && chunkHash.digest().equals(options.checksum!.digest));
  if (!verified || storageError) {
    // §checksum: a chunk that does not match (or cannot be checked) is discarded: the blob is cut
    // back to where this body began. After a storage error it keeps what it durably holds.
    await (verified ? writer.destroy() : writer.abandon());
    return {
      end,
      offset: -1,
      sha256: options.sha256,
      checksumOk: verified,
      ...(storageError && { storageError }),
    };
  }
  try {
    const offset = await writer.finish();
    return { end, offset, sha256, checksumOk: true };
  } catch (error) {
    await writer.destroy().catch(() => {});
    return { end: 'storage-error', offset: -1, sha256: null, checksumOk: true, storageError: error as Error };
  }
}
