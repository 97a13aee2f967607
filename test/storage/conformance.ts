// One conformance suite for every storage backend (issue 11, in the manner of tus-node-server's
// DataStore tests): each backend's test file calls describeStorage() with a factory, and the same
// cases run against local disk and against S3. A backend only adds what cannot be said through the
// interface: how to look for crash leftovers (staged blobs, multipart uploads).
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobWriter, Completion, ResumableRecord, Storage } from '../../server/storage/storage.js';
import type { Upload } from '../../server/uploads/upload.js';
import { newUploadId } from '../../server/uploads/upload-id.js';

export interface StorageUnderTest {
  /** A new, opened Storage on the backend's place (same place every call, until cleanup). */
  open(): Promise<Storage>;
  /** Names of staged leftovers the backend holds (temp files, multipart uploads). */
  leftovers(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export interface StorageBackend {
  name: string;
  /** Sets up an empty place (directory, bucket prefix) for one test. */
  create(): Promise<StorageUnderTest>;
  /** A size that makes an append span more than one of the backend's parts. */
  largeAppend: number;
}

const MiB = 1024 * 1024;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Compares by length and digest: a deep equality of megabytes is slow and its diff unreadable. */
function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(sha256(actual)).toBe(sha256(expected));
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function events() {
  const seen = { totals: [] as number[], errors: [] as Error[], drains: 0 };
  return {
    seen,
    events: {
      written: (total: number) => seen.totals.push(total),
      drain: () => seen.drains++,
      error: (error: Error) => seen.errors.push(error),
    },
  };
}

/** Pushes `data` in chunks, honouring backpressure as ingest does. */
async function pushAll(
  writer: BlobWriter,
  data: Buffer,
  onDrain: { wait(): Promise<void> },
  chunk = 64 * 1024,
) {
  for (let at = 0; at < data.length; at += chunk) {
    if (!writer.push(data.subarray(at, at + chunk))) await onDrain.wait();
  }
}

/** Events whose drain() can be awaited. */
function drainable() {
  const base = events();
  let wake: (() => void) | null = null;
  return {
    seen: base.seen,
    drain: { wait: () => new Promise<void>((resolve) => (wake = resolve)) },
    events: {
      ...base.events,
      drain: () => {
        base.events.drain();
        const w = wake;
        wake = null;
        w?.();
      },
      error: (error: Error) => {
        base.events.error(error);
        const w = wake;
        wake = null;
        w?.();
      },
    },
  };
}

export function uploadFor(id: string, size: number, extra: Partial<Upload> = {}): Upload {
  const now = new Date().toISOString();
  return {
    id,
    name: `${id}.bin`,
    type: 'application/octet-stream',
    size,
    expected: size,
    status: 'completed',
    createdAt: now,
    completedAt: now,
    url: `/api/uploads/${id}/content`,
    ...extra,
  };
}

export async function stageBlob(storage: Storage, data: Buffer): Promise<string> {
  const id = newUploadId();
  const e = drainable();
  const writer = storage.blobs.stage(id, e.events);
  await pushAll(writer, data, e.drain);
  expect(await writer.finish()).toBe(data.length);
  expect(e.seen.errors).toEqual([]);
  return id;
}

async function appendBlob(storage: Storage, id: string, offset: number, data: Buffer): Promise<number> {
  const e = drainable();
  const writer = storage.blobs.append(id, offset, e.events);
  await pushAll(writer, data, e.drain);
  const length = await writer.finish();
  expect(e.seen.errors).toEqual([]);
  return length;
}

function resumableRecord(id: string, expected: number | null): ResumableRecord {
  const now = new Date();
  return {
    upload: {
      id,
      name: 'r.bin',
      type: 'application/octet-stream',
      size: 0,
      expected,
      status: 'uploading',
      createdAt: now.toISOString(),
      kind: 'resumable',
    },
    metadata: 'filename ci5iaW4=',
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  };
}

export function describeStorage(backend: StorageBackend): void {
  describe(`storage conformance: ${backend.name}`, () => {
    let place: StorageUnderTest;
    let storage: Storage;
    const opened: Storage[] = [];
    const reopen = async () => {
      const next = await place.open();
      opened.push(next);
      return next;
    };
    beforeEach(async () => {
      place = await backend.create();
      storage = await reopen();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
      await place.cleanup();
    });

    it('stages a blob, reports rising written totals, and commits it as readable content with its record', async () => {
      const data = randomBytes(3 * MiB + 123);
      const id = newUploadId();
      const e = drainable();
      const writer = storage.blobs.stage(id, e.events);
      await pushAll(writer, data, e.drain);
      expect(await writer.finish()).toBe(data.length);
      expect(e.seen.totals.at(-1)).toBe(data.length);
      expect(e.seen.totals).toEqual([...e.seen.totals].sort((a, b) => a - b));
      const upload = uploadFor(id, data.length, { sha256: sha256(data) });
      await storage.commit([{ upload, from: 'staged' }]);
      expect(sha256(await bytesOf(await storage.blobs.read(id, null)))).toBe(sha256(data));
      expect(await storage.records.loadCompleted()).toEqual([upload]);
      expect(await place.leftovers()).toEqual([]);
    });

    it('stores an empty file', async () => {
      const id = await stageBlob(storage, Buffer.alloc(0));
      await storage.commit([{ upload: uploadFor(id, 0), from: 'staged' }]);
      expect((await bytesOf(await storage.blobs.read(id, null))).length).toBe(0);
      expect((await storage.records.loadCompleted()).map((u) => u.id)).toEqual([id]);
    });

    it('reads byte ranges: first byte, middle, last byte, whole', async () => {
      const data = randomBytes(200_000);
      const id = await stageBlob(storage, data);
      await storage.commit([{ upload: uploadFor(id, data.length), from: 'staged' }]);
      for (const [start, end] of [
        [0, 0],
        [1000, 1999],
        [data.length - 1, data.length - 1],
        [0, data.length - 1],
      ] as const) {
        expectBytes(
          await bytesOf(await storage.blobs.read(id, { start, end })),
          data.subarray(start, end + 1),
        );
      }
    });

    it('rejects a read of content that does not exist with code ENOENT', async () => {
      await expect(storage.blobs.read(newUploadId(), null)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('commits several staged blobs together, each readable', async () => {
      const blobs = [randomBytes(10), randomBytes(70_000), randomBytes(1)];
      const ids = [];
      for (const data of blobs) ids.push(await stageBlob(storage, data));
      await storage.commit(ids.map((id, i) => ({ upload: uploadFor(id, blobs[i]!.length), from: 'staged' })));
      for (const [i, id] of ids.entries())
        expectBytes(await bytesOf(await storage.blobs.read(id, null)), blobs[i]!);
      expect((await storage.records.loadCompleted()).map((u) => u.id).sort()).toEqual([...ids].sort());
    });

    it('commits all or nothing: a commit failing midway leaves none of its uploads visible, even after reopen', async () => {
      const first = randomBytes(50_000);
      const firstId = await stageBlob(storage, first);
      const missingId = newUploadId(); // never staged: its step of the commit fails
      const completions: Completion[] = [
        { upload: uploadFor(firstId, first.length), from: 'staged' },
        { upload: uploadFor(missingId, 10), from: 'staged' },
      ];
      await expect(storage.commit(completions)).rejects.toThrow();
      await expect(storage.blobs.read(firstId, null)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await storage.records.loadCompleted()).toEqual([]);
      const again = await reopen();
      expect(await again.records.loadCompleted()).toEqual([]);
      await expect(again.blobs.read(firstId, null)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await place.leftovers()).toEqual([]);
    });

    it('a failed commit leaves a resumable blob resumable, with its bytes, so it can be committed later', async () => {
      const id = newUploadId();
      const data = randomBytes(100_000);
      await storage.blobs.createResumable(id);
      expect(await appendBlob(storage, id, 0, data)).toBe(data.length);
      await expect(
        storage.commit([
          { upload: uploadFor(id, data.length), from: 'resumable' },
          { upload: uploadFor(newUploadId(), 1), from: 'staged' },
        ]),
      ).rejects.toThrow();
      expect(await storage.records.loadCompleted()).toEqual([]);
      expect(await storage.blobs.resumableOffset(id)).toBe(data.length);
      await storage.commit([{ upload: uploadFor(id, data.length), from: 'resumable' }]);
      expectBytes(await bytesOf(await storage.blobs.read(id, null)), data);
    });

    it('discards a staged blob: it can no longer be committed', async () => {
      const id = await stageBlob(storage, randomBytes(1000));
      await storage.blobs.discard(id);
      await storage.blobs.discard(id); // missing is fine
      await expect(storage.commit([{ upload: uploadFor(id, 1000), from: 'staged' }])).rejects.toThrow();
      expect(await place.leftovers()).toEqual([]);
    });

    it('destroy() of a staged writer removes its bytes', async () => {
      const id = newUploadId();
      const writer = storage.blobs.stage(id, events().events);
      writer.push(randomBytes(100_000));
      await writer.destroy();
      await expect(storage.commit([{ upload: uploadFor(id, 100_000), from: 'staged' }])).rejects.toThrow();
      expect(await place.leftovers()).toEqual([]);
    });

    it('removes a completed upload: bytes and record gone; removing again is fine', async () => {
      const id = await stageBlob(storage, randomBytes(500));
      await storage.commit([{ upload: uploadFor(id, 500), from: 'staged' }]);
      await storage.remove(id);
      await expect(storage.blobs.read(id, null)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await storage.records.loadCompleted()).toEqual([]);
      await storage.remove(id);
    });

    it('appends to a resumable blob over several requests, resuming at the durable offset', async () => {
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      expect(await storage.blobs.resumableOffset(id)).toBe(0);
      const pieces = [
        randomBytes(backend.largeAppend),
        randomBytes(300_000),
        randomBytes(17),
        randomBytes(backend.largeAppend),
      ];
      let offset = 0;
      for (const piece of pieces) {
        offset = await appendBlob(storage, id, offset, piece);
        expect(await storage.blobs.resumableOffset(id)).toBe(offset);
      }
      const all = Buffer.concat(pieces);
      expect(offset).toBe(all.length);
      await storage.commit([{ upload: uploadFor(id, all.length), from: 'resumable' }]);
      expect(sha256(await bytesOf(await storage.blobs.read(id, null)))).toBe(sha256(all));
      expect(
        await bytesOf(await storage.blobs.read(id, { start: all.length - 20, end: all.length - 1 })),
      ).toEqual(all.subarray(all.length - 20));
      expect(await storage.blobs.resumableOffset(id)).toBeNull();
      expect(await place.leftovers()).toEqual([]);
    });

    it('keeps a resumable blob and its record across a reopen, and resumes there', async () => {
      const id = newUploadId();
      const record = resumableRecord(id, null);
      await storage.records.putResumable(record);
      await storage.blobs.createResumable(id);
      const head = randomBytes(backend.largeAppend + 1000);
      await appendBlob(storage, id, 0, head);

      const again = await reopen();
      expect(await again.blobs.resumableOffset(id)).toBe(head.length);
      expect(await again.records.getResumable(id)).toEqual(record);
      expect(await again.records.loadResumable()).toEqual([record]);
      const tail = randomBytes(4000);
      expect(await appendBlob(again, id, head.length, tail)).toBe(head.length + tail.length);
      await again.commit([{ upload: uploadFor(id, head.length + tail.length), from: 'resumable' }]);
      expectBytes(await bytesOf(await again.blobs.read(id, null)), Buffer.concat([head, tail]));
      // A committed resumable upload is no longer resumable.
      expect(await again.records.getResumable(id)).toBeNull();
      expect(await again.records.loadResumable()).toEqual([]);
    });

    it('a cut-off append keeps every byte it acknowledged: finish() after a partial body, destroy() a prefix', async () => {
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      const first = randomBytes(700_000);
      // The request was cut off after these bytes: the caller finishes what arrived.
      expect(await appendBlob(storage, id, 0, first)).toBe(first.length);
      expect(await storage.blobs.resumableOffset(id)).toBe(first.length);

      // destroy() mid-stream keeps a durable prefix of what was pushed, and the offset says which.
      const second = randomBytes(2 * MiB);
      const writer = storage.blobs.append(id, first.length, events().events);
      writer.push(second);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await writer.destroy();
      const offset = (await storage.blobs.resumableOffset(id))!;
      expect(offset).toBeGreaterThanOrEqual(first.length);
      expect(offset).toBeLessThanOrEqual(first.length + second.length);
      const rest = Buffer.concat([first, second]).subarray(offset);
      expect(await appendBlob(storage, id, offset, rest)).toBe(first.length + second.length);
      await storage.commit([{ upload: uploadFor(id, first.length + second.length), from: 'resumable' }]);
      expectBytes(await bytesOf(await storage.blobs.read(id, null)), Buffer.concat([first, second]));
    });

    it('abandon() of an append leaves the resumable blob as long as before it, and appending goes on there (tus checksum 460)', async () => {
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      const kept = randomBytes(300_000);
      await appendBlob(storage, id, 0, kept);
      const e = drainable();
      const writer = storage.blobs.append(id, kept.length, e.events);
      await pushAll(writer, randomBytes(backend.largeAppend), e.drain);
      await writer.abandon();
      expect(await storage.blobs.resumableOffset(id)).toBe(kept.length);
      const tail = randomBytes(1000);
      expect(await appendBlob(storage, id, kept.length, tail)).toBe(kept.length + tail.length);
      await storage.commit([{ upload: uploadFor(id, kept.length + tail.length), from: 'resumable' }]);
      expectBytes(await bytesOf(await storage.blobs.read(id, null)), Buffer.concat([kept, tail]));
    });

    it('readResumable() streams a resumable blob whose last byte is in from its first byte (also when empty), and commit keeps those bytes', async () => {
      const empty = newUploadId();
      await storage.blobs.createResumable(empty);
      expect(await bytesOf(await storage.blobs.readResumable(empty))).toEqual(Buffer.alloc(0));
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      const data = randomBytes(backend.largeAppend + 123);
      await appendBlob(storage, id, 0, data);
      expectBytes(await bytesOf(await storage.blobs.readResumable(id)), data);
      expect(await storage.blobs.resumableOffset(id)).toBe(data.length);
      await storage.commit([
        { upload: uploadFor(empty, 0), from: 'resumable' },
        { upload: uploadFor(id, data.length), from: 'resumable' },
      ]);
      expect(await bytesOf(await storage.blobs.read(empty, null))).toEqual(Buffer.alloc(0));
      expectBytes(await bytesOf(await storage.blobs.read(id, null)), data);
      expect(await place.leftovers()).toEqual([]);
    });

    it('after a restart, readResumable() still streams every byte appended before it (tus recomputes the SHA-256 from them)', async () => {
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      await storage.records.putResumable(resumableRecord(id, null));
      const before = randomBytes(backend.largeAppend + 1000);
      await appendBlob(storage, id, 0, before);
      const restarted = await reopen();
      const after = randomBytes(2000);
      expect(await appendBlob(restarted, id, before.length, after)).toBe(before.length + after.length);
      const all = Buffer.concat([before, after]);
      expectBytes(await bytesOf(await restarted.blobs.readResumable(id)), all);
      await restarted.commit([
        { upload: uploadFor(id, all.length, { sha256: sha256(all) }), from: 'resumable' },
      ]);
      expect((await restarted.records.loadCompleted()).find((u) => u.id === id)?.sha256).toBe(sha256(all));
      expectBytes(await bytesOf(await restarted.blobs.read(id, null)), all);
    });

    it('refuses an append at an offset that is not the durable length, changing nothing', async () => {
      const id = newUploadId();
      await storage.blobs.createResumable(id);
      await appendBlob(storage, id, 0, Buffer.from('abc'));
      const e = events();
      const writer = storage.blobs.append(id, 1, e.events);
      writer.push(Buffer.from('x'));
      await expect(writer.finish()).rejects.toThrow();
      expect(e.seen.errors.length).toBe(1);
      expect(await storage.blobs.resumableOffset(id)).toBe(3);
    });

    it('concatenates finished resumable blobs into another, in order', async () => {
      const parts = [randomBytes(backend.largeAppend), randomBytes(1000), randomBytes(50_000)];
      const ids = [];
      for (const data of parts) {
        const id = newUploadId();
        await storage.blobs.createResumable(id);
        await appendBlob(storage, id, 0, data);
        ids.push(id);
      }
      const finalId = newUploadId();
      await storage.blobs.createResumable(finalId);
      await storage.blobs.concatenate(finalId, ids);
      const all = Buffer.concat(parts);
      expect(await storage.blobs.resumableOffset(finalId)).toBe(all.length);
      await storage.commit([{ upload: uploadFor(finalId, all.length), from: 'resumable' }]);
      expect(sha256(await bytesOf(await storage.blobs.read(finalId, null)))).toBe(sha256(all));
    });

    it('removes a resumable blob and record (termination, expiry); missing is fine', async () => {
      const id = newUploadId();
      await storage.records.putResumable(resumableRecord(id, 10));
      await storage.blobs.createResumable(id);
      await appendBlob(storage, id, 0, randomBytes(10));
      await storage.blobs.removeResumable(id);
      await storage.records.removeResumable(id);
      expect(await storage.blobs.resumableOffset(id)).toBeNull();
      expect(await storage.records.getResumable(id)).toBeNull();
      await storage.blobs.removeResumable(id);
      await storage.records.removeResumable(id);
      expect(await place.leftovers()).toEqual([]);
    });

    it('updates a resumable record in place (last put wins)', async () => {
      const id = newUploadId();
      const record = resumableRecord(id, null);
      await storage.records.putResumable(record);
      const updated = { ...record, upload: { ...record.upload, expected: 42, status: 'paused' as const } };
      await storage.records.putResumable(updated);
      expect(await storage.records.getResumable(id)).toEqual(updated);
      expect(await storage.records.loadResumable()).toEqual([updated]);
    });

    it('records of completed uploads survive a reopen', async () => {
      const data = randomBytes(5000);
      const id = await stageBlob(storage, data);
      const upload = uploadFor(id, data.length, { ref: 'r1', sha256: sha256(data), path: 'a/b.bin' });
      await storage.commit([{ upload, from: 'staged' }]);
      const again = await reopen();
      expect(await again.records.loadCompleted()).toEqual([upload]);
      expectBytes(await bytesOf(await again.blobs.read(id, null)), data);
    });

    it('sweeps a crashed process’s staged leftovers at start-up, keeping completed and resumable uploads', async () => {
      const kept = await stageBlob(storage, randomBytes(100));
      await storage.commit([{ upload: uploadFor(kept, 100), from: 'staged' }]);
      const resumable = newUploadId();
      await storage.records.putResumable(resumableRecord(resumable, null));
      await storage.blobs.createResumable(resumable);
      await appendBlob(storage, resumable, 0, randomBytes(1000));
      // A staged blob that neither finished nor was discarded: its process "died".
      const abandoned = storage.blobs.stage(newUploadId(), events().events);
      abandoned.push(randomBytes(backend.largeAppend));
      // Wait until the backend holds it (a temp file; a multipart upload with a part).
      for (let tries = 0; (await place.leftovers()).length === 0 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await place.leftovers()).length).toBe(1);

      const restarted = await reopen();
      expect(await place.leftovers()).toEqual([]);
      expect((await restarted.records.loadCompleted()).map((u) => u.id)).toEqual([kept]);
      expect(await restarted.blobs.resumableOffset(resumable)).toBe(1000);
      await abandoned.destroy();
    });

    it('asks the source to pause under backpressure and says drain when it may go on', async () => {
      const e = events();
      const writer = storage.blobs.stage(newUploadId(), e.events);
      let accepted = 0;
      while (writer.push(randomBytes(256 * 1024))) accepted++;
      expect(accepted).toBeLessThan(64); // bounded: not the whole file in memory
      await writer.finish();
      expect(e.seen.drains).toBeGreaterThanOrEqual(1);
      await writer.destroy();
    });
  });
}
