// What an S3 failure means to the client (docs/storage.md "When S3 fails"): a bucket that cannot be
// reached, times out or answers 5xx is 503 STORAGE_UNAVAILABLE; one that refuses the request (access
// denied, no such bucket…) is 502 STORAGE_BAD_GATEWAY. Both carry Retry-After. The SDK's message
// goes to the log as the cause, the client sees only the S3 error code.
import { errors } from '../../errors.js';

/** Seconds a client is told to wait before retrying after an S3 failure. */
export const S3_RETRY_AFTER_S = 5;

interface SdkError extends Error {
  code?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

const status = (error: unknown) => (error as SdkError)?.$metadata?.httpStatusCode;

/** The object (or upload) is not there: NoSuchKey, NotFound, NoSuchUpload. */
export function isS3NotFound(error: unknown): boolean {
  const name = (error as SdkError)?.name;
  return status(error) === 404 || name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchUpload';
}

/** A failure caused by reaching S3 at all (not by what it answered). */
function isUnreachable(error: SdkError): boolean {
  return (
    status(error) === undefined ||
    (status(error) ?? 0) >= 500 ||
    error.name === 'TimeoutError' ||
    error.name === 'SlowDown' ||
    error.name === 'RequestTimeout'
  );
}

/** An API error for an SDK error, with the SDK error as its cause and a Retry-After for the answer. */
export function s3Failure(error: unknown): Error & { code: string; retryAfterS: number } {
  const sdk = error as SdkError;
  if (typeof sdk?.code === 'string' && sdk.code in errors && 'retryAfterS' in sdk) {
    return sdk as Error & { code: string; retryAfterS: number }; // already converted
  }
  const what = sdk?.Code ?? sdk?.name ?? sdk?.code ?? 'unknown error';
  const failure = isUnreachable(sdk)
    ? new errors.STORAGE_UNAVAILABLE(sdk?.code && status(sdk) === undefined ? sdk.code : what)
    : new errors.STORAGE_BAD_GATEWAY(what);
  return Object.assign(failure, { cause: error, retryAfterS: S3_RETRY_AFTER_S });
}

/** A read of something S3 does not have: rejects like the file system does (code ENOENT). */
export function notFound(key: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`no object ${key}`), { code: 'ENOENT' });
}
