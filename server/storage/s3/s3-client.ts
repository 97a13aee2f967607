// The S3 client and the bucket's key layout (docs/storage.md "S3"). Requests time out after
// S3_REQUEST_TIMEOUT (the SDK waits forever by default: research/s3-test-server.md), each is tried
// at most MAX_ATTEMPTS times, and checksums are sent only where S3 requires them (stream bodies with
// the default CRC32 go out aws-chunked, which Swift, MinIO's older releases and others refuse).
// No `Expect: 100-continue` on parts: with it the SDK's http handler bypasses the keep-alive agent
// and opens a connection per request (issue 11: 4 × 1 GiB at ~80 → ~125 MB/s, less CPU); a part S3
// refuses costs its 5 MiB sent for nothing, and refusals are rare (auth, a gone upload).
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../../config.js';

/** Attempts per request (the first and two retries): a hung S3 fails a request after 3 × the timeout. */
export const MAX_ATTEMPTS = 3;

export function createS3Client(config: Config): S3Client {
  return new S3Client({
    region: config.s3Region,
    ...(config.s3Endpoint && { endpoint: config.s3Endpoint }),
    forcePathStyle: config.s3ForcePathStyle,
    maxAttempts: MAX_ATTEMPTS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    expectContinueHeader: false,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.s3RequestTimeoutMs,
      requestTimeout: config.s3RequestTimeoutMs,
      // A response body that stops arriving (a download from a hung S3) is cut off too.
      socketTimeout: config.s3RequestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: 64 },
      httpsAgent: { keepAlive: true, maxSockets: 64 },
    }),
  });
}

/**
 * Where everything lives in the bucket, under S3_PREFIX (P):
 *   P<id>                    a completed upload's bytes (a staged blob's, once finished, too: it is
 *                            invisible until its record exists); the key of every multipart upload
 *   P<id>.json               the completed upload's record
 *   P.resumable/<id>.json    an unfinished resumable upload's record
 *   P.resumable/<id>.tail    its bytes after the last full part (< one part), until they fill one
 *   P.index/completed.json   a cache of the completed records, for start-up (s3-index-snapshot.ts)
 */
export class S3Keys {
  readonly prefix: string;
  readonly resumablePrefix: string;
  readonly indexSnapshot: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.resumablePrefix = `${prefix}.resumable/`;
    this.indexSnapshot = `${prefix}.index/completed.json`;
  }

  data(id: string): string {
    return `${this.prefix}${id}`;
  }

  record(id: string): string {
    return `${this.prefix}${id}.json`;
  }

  resumableRecord(id: string): string {
    return `${this.resumablePrefix}${id}.json`;
  }

  tail(id: string): string {
    return `${this.resumablePrefix}${id}.tail`;
  }
}
