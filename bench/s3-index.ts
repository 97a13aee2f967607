// Benchmark: rebuilding the upload index from an S3 bucket (issue 11: "measured on 10,000 objects").
// Fills a Swift s3api bucket with N completed uploads (a tiny data object and its record each, so
// 2 × N objects; default N = 5,000 → 10,000 objects), then times S3RecordStore.loadCompleted(): the
// paginated listing (1,000 keys a page) plus the record reads, 32 at a time.
// Usage: tsx bench/s3-index.ts [--uploads N]
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../server/config.js';
import { inBatches } from '../server/storage/s3/s3-record-store.js';
import { S3Storage } from '../server/storage/s3/s3-storage.js';
import { newUploadId } from '../server/uploads/upload-id.js';
import {
  createTestBucket,
  S3_ACCESS_KEY,
  S3_SECRET_KEY,
  s3Env,
  startS3Server,
  testS3Client,
} from '../test/fixtures/s3-server.js';
import { emit, log, round3 } from './lib/report.js';

const BENCH = 's3-index';
const { values } = parseArgs({ options: { uploads: { type: 'string' } }, strict: false });
const uploads = Number(values.uploads ?? 5000);
process.env.AWS_ACCESS_KEY_ID = S3_ACCESS_KEY;
process.env.AWS_SECRET_ACCESS_KEY = S3_SECRET_KEY;

const s3 = await startS3Server();
const client = testS3Client(s3.directEndpoint);
try {
  const bucket = await createTestBucket(s3.directEndpoint);
  const prefix = 'index/';
  const filled = performance.now();
  await inBatches(Array.from({ length: uploads }, newUploadId), 32, async (id) => {
    const data = randomBytes(16);
    const now = new Date().toISOString();
    const upload = {
      id,
      name: `${id}.bin`,
      type: 'application/octet-stream',
      size: 16,
      expected: 16,
      status: 'completed',
      createdAt: now,
      completedAt: now,
    };
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${id}`, Body: data }));
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${id}.json`, Body: JSON.stringify(upload) }),
    );
  });
  log(
    `${BENCH}: ${uploads} uploads (${2 * uploads} objects) written in ${((performance.now() - filled) / 1000).toFixed(1)} s`,
  );
  const config = loadConfig({ ...s3Env(s3.directEndpoint, bucket, prefix), LOG_LEVEL: 'silent' });
  const storage = new S3Storage({ config, log: { warn() {}, info() {} } as never });
  const started = performance.now();
  const loaded = await storage.records.loadCompleted();
  const seconds = (performance.now() - started) / 1000;
  if (loaded.length !== uploads) throw new Error(`loaded ${loaded.length} of ${uploads} uploads`);
  log(`${BENCH}: index of ${loaded.length} uploads rebuilt in ${seconds.toFixed(2)} s`);
  emit({
    bench: BENCH,
    target: 'livedrop-s3',
    objects: 2 * uploads,
    uploads,
    seconds: round3(seconds),
    uploadsPerS: round3(uploads / seconds),
  });
  await storage.close();
} finally {
  client.destroy();
  await s3.stop();
}
