// The observer runs inside file-system callbacks on the upload's hot path: a bug in a listener must
// cost a log line, not the process or the upload.
import type { FastifyBaseLogger } from 'fastify';
import type { UploadObserver } from './upload-observer.js';

export function guardObserver(observer: UploadObserver, log: FastifyBaseLogger): UploadObserver {
  const guarded = {} as UploadObserver;
  for (const key of [
    'started',
    'progress',
    'completed',
    'failed',
    'aborted',
    'paused',
    'expired',
    'deleted',
  ] as const) {
    const call = observer[key].bind(observer) as (...args: unknown[]) => void;
    (guarded[key] as (...args: unknown[]) => void) = (...args) => {
      try {
        call(...args);
      } catch (error) {
        log.error({ err: error, event: key }, 'upload observer threw');
      }
    };
  }
  return guarded;
}
