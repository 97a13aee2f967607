// What only the local-disk backend promises, beyond the conformance suite: recovery from a resumable
// completion cut short by a crash, and sweeps that spare another live node's work on a shared
// UPLOAD_DIR (issue 12).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStorage } from '../../server/storage/local/local-storage.js';
import type { ResumableRecord } from '../../server/storage/storage.js';
import { newUploadId } from '../../server/uploads/upload-id.js';
import { recordingLog } from './test-log.js';

let dir: string;
const opened: LocalStorage[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-local-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
  await rm(dir, { recursive: true, force: true });
});

async function openStorage(options: { shared?: boolean; staleAfterMs?: number } = {}) {
  const storage = new LocalStorage({ dir, log: recordingLog(), ...options });
  await storage.open();
  opened.push(storage);
  return storage;
}

const noEvents = { written: () => {}, drain: () => {}, error: () => {} };

function record(id: string): ResumableRecord {
  const now = new Date().toISOString();
  return {
    upload: { id, name: 'r', type: 'text/plain', size: 3, expected: 3, status: 'uploading', createdAt: now },
    metadata: null,
    expiresAt: now,
  };
}

describe('local disk: crash recovery of resumable completions', () => {
  it('moves bytes renamed into place without a record back to .resumable/, resumable again', async () => {
    const storage = await openStorage();
    const id = newUploadId();
    await storage.records.putResumable(record(id));
    await storage.blobs.createResumable(id);
    const writer = storage.blobs.append(id, 0, noEvents);
    writer.push(Buffer.from('abc'));
    await writer.finish();
    // The crash came right after the rename of commit(): bytes in place, no completed record yet.
    await rename(join(dir, '.resumable', id), join(dir, id));

    const restarted = await openStorage();
    expect(await restarted.blobs.resumableOffset(id)).toBe(3);
    expect(await readFile(join(dir, '.resumable', id), 'utf8')).toBe('abc');
    expect(await restarted.records.loadCompleted()).toEqual([]);
  });

  it('drops the resumable record of an upload whose completed record was already written', async () => {
    const storage = await openStorage();
    const id = newUploadId();
    await storage.records.putResumable(record(id));
    await storage.blobs.createResumable(id);
    const writer = storage.blobs.append(id, 0, noEvents);
    writer.push(Buffer.from('abc'));
    await writer.finish();
    const completed = {
      ...record(id).upload,
      status: 'completed' as const,
      completedAt: new Date().toISOString(),
    };
    await storage.commit([{ upload: completed, from: 'resumable' }]);
    // The crash came before the resumable record was removed: put it back as it was.
    await storage.records.putResumable(record(id));

    const restarted = await openStorage();
    expect(await restarted.records.loadResumable()).toEqual([]);
    expect((await restarted.records.loadCompleted()).map((u) => u.id)).toEqual([id]);
  });
});

describe('local disk: a shared UPLOAD_DIR (several nodes)', () => {
  it("a node starting up leaves another live node's staged upload alone, and sweeps it once stale", async () => {
    const live = await openStorage({ shared: true });
    const id = newUploadId();
    const writer = live.blobs.stage(id, noEvents);
    writer.push(randomBytes(10_000));
    await sleep(50);

    const second = await openStorage({ shared: true, staleAfterMs: 400 });
    expect(await readdir(join(dir, '.tmp'))).toEqual([id]);
    // The first node keeps writing: still not stale.
    writer.push(randomBytes(10_000));
    await sleep(250);
    expect(await readdir(join(dir, '.tmp'))).toEqual([id]);
    // Then its node "dies" (nothing more is written): the periodic sweep removes it.
    await sleep(900);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    await second.close();
    await writer.destroy();
  });

  it("spares a data file without a record while it may be another node's commit in progress", async () => {
    await openStorage({ shared: true });
    const id = newUploadId();
    await writeFile(join(dir, id), 'being committed');
    await openStorage({ shared: true, staleAfterMs: 60_000 });
    expect(await readdir(dir)).toContain(id);
    // Alone on the directory, the same file is a commit cut short: removed.
    await openStorage();
    expect(await readdir(dir)).not.toContain(id);
  });

  it('alone on the directory, start-up sweeps every staged leftover at once', async () => {
    const first = await openStorage();
    const writer = first.blobs.stage(newUploadId(), noEvents);
    writer.push(randomBytes(1000));
    await sleep(50);
    await openStorage();
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    await writer.destroy();
  });
});
