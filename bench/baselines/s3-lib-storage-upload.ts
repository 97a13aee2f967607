// The S3 ingest peer: a plain @aws-sdk/lib-storage `Upload` of files from disk, N at once, with the
// SDK's defaults (5 MiB parts, 4 at a time per upload) and the client settings livedrop uses for the
// test server. Run as its own process so its CPU time is its own.
// Usage: node s3-lib-storage-upload.js <endpoint> <bucket> <file> <count>
import { createReadStream, statSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const [endpoint, bucket, file, count] = process.argv.slice(2) as [string, string, string, string];
const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
const size = statSync(file).size;
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    new Upload({
      client,
      params: { Bucket: bucket, Key: `baseline-${i}`, Body: createReadStream(file), ContentLength: size },
    }).done(),
  ),
);
client.destroy();
