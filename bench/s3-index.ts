// Benchmark: start-up on an S3 bucket that holds many uploads (issue 11: "start-up rebuilds the index
// from the bucket (paginated listing, measured on 10,000 objects)"). Fills a Swift s3api bucket with
// N completed uploads (a tiny data object and its record each, so 2 × N objects; default N = 5,000 →
// 10,000 objects), 48 PutObjects at a time, with Swift on a tmpfs when there is one (on a disk Swift
// fsyncs every object: the fill took 630 s serially). Then times what a server does at start-up, as
// buildApp does it: S3Storage.open() (HeadBucket and the crash sweep, which lists the prefix) and
// loadCompleted() (the paginated listing, 1,000 keys a page, plus the record reads, 32 at a time),
// then loadResumable(); and, as the peer in the same run, the same start-up on an empty prefix.
// Each round starts once without the index snapshot (P.index/completed.json deleted: every record is
// fetched) and once with the snapshot that start-up saved (records taken from it, ETags checked).
// Usage: tsx bench/s3-index.ts [--uploads N] [--rounds N]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
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
import { benchOptions, emit, log, median, round3 } from './lib/report.js';

const BENCH = 's3-index';
const FILL_WIDTH = 48;
const { values } = parseArgs({ options: { uploads: { type: 'string' } }, strict: false });
const { quick, rounds: roundsFlag } = benchOptions();
const uploads = Number(values.uploads ?? (quick ? 1000 : 5000));
const rounds = roundsFlag ?? 1;
process.env.AWS_ACCESS_KEY_ID = S3_ACCESS_KEY;
process.env.AWS_SECRET_ACCESS_KEY = S3_SECRET_KEY;

const root = existsSync('/dev/shm') ? '/dev/shm' : undefined;
const s3 = await startS3Server({ root });
const client = testS3Client(s3.directEndpoint);
const silent = { warn() {}, info() {}, error() {} } as never;
let bucket = '';
try {
  bucket = await createTestBucket(s3.directEndpoint);
  const prefix = 'index/';
  const filled = performance.now();
  await inBatches(Array.from({ length: uploads }, newUploadId), FILL_WIDTH, async (id) => {
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
      url: `/api/uploads/${id}/content`,
    };
    await putWithRetry(`${prefix}${id}`, Buffer.alloc(16, 7));
    await putWithRetry(`${prefix}${id}.json`, Buffer.from(JSON.stringify(upload)));
  });
  const fillSeconds = (performance.now() - filled) / 1000;
  log(
    `${BENCH}: ${uploads} uploads (${2 * uploads} objects) written in ${fillSeconds.toFixed(1)} s, ${FILL_WIDTH} at a time, Swift on ${root ?? 'the temp dir'}`,
  );

  const figures = {
    cold: [] as number[],
    coldLoad: [] as number[],
    warm: [] as number[],
    warmLoad: [] as number[],
    empty: [] as number[],
  };
  for (let round = 0; round < rounds; round++) {
    const empty = await startUp(bucket, 'empty/', 0);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}.index/completed.json` }));
    const cold = await startUp(bucket, prefix, uploads);
    const warm = await startUp(bucket, prefix, uploads);
    figures.empty.push(empty.seconds);
    figures.cold.push(cold.seconds);
    figures.coldLoad.push(cold.loadSeconds);
    figures.warm.push(warm.seconds);
    figures.warmLoad.push(warm.loadSeconds);
    log(
      `round ${round + 1}: start-up on ${2 * uploads} objects without the snapshot ${cold.seconds.toFixed(2)} s (loadCompleted ${cold.loadSeconds.toFixed(2)} s), with it ${warm.seconds.toFixed(2)} s (loadCompleted ${warm.loadSeconds.toFixed(2)} s); on an empty prefix ${empty.seconds.toFixed(2)} s`,
    );
  }
  emit({
    bench: BENCH,
    target: 'livedrop-s3',
    objects: 2 * uploads,
    uploads,
    startUpSeconds: round3(median(figures.cold)),
    loadCompletedSeconds: round3(median(figures.coldLoad)),
    uploadsPerS: round3(uploads / median(figures.coldLoad)),
    snapshotStartUpSeconds: round3(median(figures.warm)),
    snapshotLoadCompletedSeconds: round3(median(figures.warmLoad)),
    emptyStartUpSeconds: round3(median(figures.empty)),
    fillSeconds: round3(fillSeconds),
    rounds,
  });
} finally {
  client.destroy();
  await s3.stop();
}

/** What a server does with its storage at start-up (app.ts): open, the index, the resumable uploads. */
async function startUp(bucket: string, prefix: string, expected: number) {
  const config = loadConfig({ ...s3Env(s3.directEndpoint, bucket, prefix), LOG_LEVEL: 'silent' });
  const storage = new S3Storage({ config, log: silent });
  const started = performance.now();
  await storage.open();
  const opened = performance.now();
  const loaded = await storage.records.loadCompleted();
  const indexed = performance.now();
  await storage.records.loadResumable();
  const seconds = (performance.now() - started) / 1000;
  await storage.close();
  if (loaded.length !== expected) throw new Error(`loaded ${loaded.length} of ${expected} uploads`);
  return { seconds, openSeconds: (opened - started) / 1000, loadSeconds: (indexed - opened) / 1000 };
}

/** Swift may answer 503 for a moment when many PUTs land at once: tried again, a few times. */
async function putWithRetry(key: string, body: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      return;
    } catch (error) {
      if (attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
