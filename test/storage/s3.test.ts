// The storage conformance suite on S3 (STORAGE=s3) against a real S3 API: Swift with s3api, started
// for this file (or shared, with LIVEDROP_TEST_STORAGE=s3). One bucket; each test gets its own
// S3_PREFIX, so the prefix handling is exercised too. Parts are S3's minimum, 5 MiB.
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { S3_MIN_PART, S3Storage } from '../../server/storage/s3/s3-storage.js';
import { isUploadId } from '../../server/uploads/upload-id.js';
import { s3ForThisFile } from '../fixtures/s3-for-tests.js';
import { createTestBucket, s3Env, testS3Client } from '../fixtures/s3-server.js';
import { describeStorage } from './conformance.js';
import { recordingLog } from './test-log.js';

let endpoint: string;
let bucket: string;
let release: () => Promise<void>;
beforeAll(async () => {
  ({ endpoint, release } = await s3ForThisFile());
  bucket = await createTestBucket(endpoint);
}, 120_000);
afterAll(async () => {
  await release();
});

let places = 0;

describeStorage({
  name: 'S3 (Swift s3api)',
  largeAppend: 6 * 1024 * 1024,
  async create() {
    const prefix = `t${places++}-${Date.now().toString(36)}/`;
    const config = loadConfig({
      ...s3Env(endpoint, bucket, prefix),
      LOG_LEVEL: 'silent',
      S3_REQUEST_TIMEOUT: '10000',
    });
    const client = testS3Client(endpoint);
    return {
      async open() {
        const storage = new S3Storage({ config, log: recordingLog(), partSize: S3_MIN_PART });
        await storage.open();
        return storage;
      },
      /** Multipart uploads and objects of no upload: what a staged blob leaves if it is not cleaned up. */
      async leftovers() {
        const { Uploads = [] } = await client.send(
          new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }),
        );
        const { Contents = [] } = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, Delimiter: '/' }),
        );
        const resumable = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}.resumable/` }),
        );
        const keys = new Set(Contents.map((o) => o.Key!));
        const resumableIds = new Set(
          (resumable.Contents ?? []).map((o) =>
            o.Key!.slice(`${prefix}.resumable/`.length).replace(/\.json$/, ''),
          ),
        );
        const name = (key: string) => key.slice(prefix.length);
        return [
          ...Uploads.filter((u) => !resumableIds.has(name(u.Key!))).map((u) => `multipart ${name(u.Key!)}`),
          ...[...keys]
            .map(name)
            .filter((id) => isUploadId(id) && !keys.has(`${prefix}${id}.json`) && !resumableIds.has(id))
            .map((id) => `object ${id}`),
        ];
      },
      async cleanup() {
        client.destroy();
      },
    };
  },
});
