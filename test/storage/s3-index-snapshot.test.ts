// The index snapshot on S3 (server/storage/s3/s3-index-snapshot.ts): start-up takes a record from it
// only when the bucket's listing shows that record with the same ETag, so a changed, removed or
// unreadable snapshot never makes the index wrong. Against a real S3 API (Swift s3api).
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { S3_MIN_PART, S3Storage } from '../../server/storage/s3/s3-storage.js';
import type { Upload } from '../../server/uploads/upload.js';
import { s3ForThisFile } from '../fixtures/s3-for-tests.js';
import { createTestBucket, s3Env, testS3Client } from '../fixtures/s3-server.js';
import { stageBlob, uploadFor } from './conformance.js';
import { recordingLog } from './test-log.js';

let endpoint: string;
let bucket: string;
let client: S3Client;
let release: () => Promise<void>;
beforeAll(async () => {
  ({ endpoint, release } = await s3ForThisFile());
  bucket = await createTestBucket(endpoint);
  client = testS3Client(endpoint);
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await release();
});

let places = 0;

/** A prefix with `count` completed uploads, written by a storage that was then closed (snapshot saved). */
async function prefixWithUploads(count: number) {
  const prefix = `snap${places++}-${Date.now().toString(36)}/`;
  const config = loadConfig({
    ...s3Env(endpoint, bucket, prefix),
    LOG_LEVEL: 'silent',
    S3_REQUEST_TIMEOUT: '10000',
  });
  const log = recordingLog();
  const open = async () => {
    const storage = new S3Storage({ config, log, partSize: S3_MIN_PART });
    await storage.open();
    return storage;
  };
  const storage = await open();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = await stageBlob(storage, Buffer.from(`upload ${i}`));
    await storage.commit([{ upload: uploadFor(id, `upload ${i}`.length), from: 'staged' }]);
    ids.push(id);
  }
  await storage.close();
  const startUp = async () => {
    const again = await open();
    const loaded = await again.records.loadCompleted();
    await again.close();
    return new Map(loaded.map((upload) => [upload.id, upload]));
  };
  return { prefix, ids, log, startUp, snapshotKey: `${prefix}.index/completed.json` };
}

async function readSnapshot(key: string) {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await Body!.transformToString()) as {
    entries: Record<string, { etag: string; json: string }>;
  };
}

const put = (key: string, body: string) =>
  client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

describe('S3 index snapshot', () => {
  it('is saved on close with every completed record, and start-up takes a record from it while its ETag is the listed one', async () => {
    const { ids, snapshotKey, startUp } = await prefixWithUploads(3);
    const saved = await readSnapshot(snapshotKey);
    expect(Object.keys(saved.entries).sort()).toEqual([...ids].sort());
    // Mark one entry (same ETag): only a start-up that reads the snapshot can see the mark.
    const [marked] = ids;
    const entry = saved.entries[marked!]!;
    entry.json = JSON.stringify({ ...(JSON.parse(entry.json) as Upload), name: 'from-the-snapshot.bin' });
    await put(snapshotKey, JSON.stringify(saved));
    const loaded = await startUp();
    expect(loaded.size).toBe(3);
    expect(loaded.get(marked!)!.name).toBe('from-the-snapshot.bin');
  });

  it('fetches a record changed behind its back (a new ETag) and drops one removed; the next snapshot says so', async () => {
    const { prefix, ids, snapshotKey, startUp } = await prefixWithUploads(3);
    const [changed, removed, kept] = ids as [string, string, string];
    const record = uploadFor(changed, 'upload 0'.length, { name: 'renamed.bin' });
    await put(`${prefix}${changed}.json`, JSON.stringify(record));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${removed}.json` }));
    const loaded = await startUp();
    expect([...loaded.keys()].sort()).toEqual([changed, kept].sort());
    expect(loaded.get(changed)!.name).toBe('renamed.bin');
    const saved = await readSnapshot(snapshotKey);
    expect(Object.keys(saved.entries).sort()).toEqual([changed, kept].sort());
    expect(JSON.parse(saved.entries[changed]!.json)).toMatchObject({ name: 'renamed.bin' });
  });

  it('an unreadable snapshot is a warning, every record is fetched, and a good one is written again', async () => {
    const { ids, log, snapshotKey, startUp } = await prefixWithUploads(2);
    await put(snapshotKey, '{ not json');
    const loaded = await startUp();
    expect([...loaded.keys()].sort()).toEqual([...ids].sort());
    expect(log.warnings).toContain('index snapshot unreadable: every record is fetched');
    expect(Object.keys((await readSnapshot(snapshotKey)).entries).sort()).toEqual([...ids].sort());
  });

  it('a record removed through the storage leaves the snapshot too', async () => {
    const { prefix, ids, snapshotKey } = await prefixWithUploads(2);
    const config = loadConfig({ ...s3Env(endpoint, bucket, prefix), LOG_LEVEL: 'silent' });
    const storage = new S3Storage({ config, log: recordingLog() });
    await storage.open();
    await storage.records.loadCompleted();
    await storage.remove(ids[0]!);
    await storage.close();
    expect(Object.keys((await readSnapshot(snapshotKey)).entries)).toEqual([ids[1]]);
  });
});
