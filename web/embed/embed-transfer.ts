// One file's way to the server, with the page's own uploader (web/xhr-upload.ts: multipart, one
// request per file, real progress). A network failure or a 5xx is retried with the page's backoff;
// a refusal (4xx) is final.
import { isRetryable } from '../api-error.js';
import type { Upload } from '../api-types.js';
import { backoffDelay, uploadBackoff } from '../backoff.js';
import { sendResumable } from '../tus-upload.js';
import { sendFile } from '../xhr-upload.js';

const RETRIES = 3;

export interface TransferRequest {
  server: string;
  token: string | null;
  file: File;
  ref: string;
  /** The server's tus settings (GET /api/config): files above the threshold go resumably. */
  resumable: { threshold: number; chunkSize: number } | null;
}

export type TransferOutcome =
  | { kind: 'done'; upload: Upload }
  | { kind: 'failed'; status: number; message: string }
  | { kind: 'aborted' };

export interface Transfer {
  outcome: Promise<TransferOutcome>;
  abort(): void;
}

export function startTransfer(request: TransferRequest, progress: (sent: number) => void): Transfer {
  let abort = () => {};
  let aborted = false;
  const outcome = (async (): Promise<TransferOutcome> => {
    const headers: Record<string, string> = request.token ? { Authorization: `Bearer ${request.token}` } : {};
    // Big files go through tus like on livedrop's own page (web/tus-upload.ts): a cut connection
    // resumes from the server's offset, tus-js-client retries by itself.
    if (request.resumable && request.file.size > request.resumable.threshold) {
      const running = sendResumable(
        {
          endpoint: `${request.server}/api/tus`,
          file: request.file,
          ref: request.ref,
          headers,
          chunkSize: request.resumable.chunkSize,
        },
        { progress, processing: () => {} },
      );
      abort = running.abort;
      const result = await running.outcome;
      if (result.kind === 'aborted' || aborted) return { kind: 'aborted' };
      if (result.kind === 'done' && result.url)
        return { kind: 'done', upload: resumableUpload(request, result.url) };
      if (result.kind === 'refused')
        return { kind: 'failed', status: result.status, message: result.message };
      return { kind: 'failed', status: 0, message: 'Network error' };
    }
    for (let attempt = 0; ; attempt++) {
      const running = sendFile(
        {
          url: `${request.server}/api/uploads`,
          file: request.file,
          thumbnail: null,
          ref: request.ref,
          headers,
        },
        { progress, processing: () => {} },
      );
      abort = running.abort;
      const result = await running.outcome;
      if (result.kind === 'aborted' || aborted) return { kind: 'aborted' };
      if (result.kind === 'done') {
        if (result.upload) return { kind: 'done', upload: result.upload };
        return { kind: 'failed', status: 0, message: 'The server answered without an upload' };
      }
      const status = result.kind === 'refused' ? result.status : 0;
      const message = result.kind === 'refused' ? result.message : 'Network error';
      if (!isRetryable(status) || attempt >= RETRIES) return { kind: 'failed', status, message };
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, uploadBackoff)));
      if (aborted) return { kind: 'aborted' };
    }
  })();
  return {
    outcome,
    abort() {
      aborted = true;
      abort();
    },
  };
}

/** A finished tus upload as the element reports it: the id is the last segment of its URL. */
function resumableUpload(request: TransferRequest, url: string): Upload {
  const id = new URL(url).pathname.split('/').pop()!;
  const now = new Date().toISOString();
  return {
    id,
    name: request.file.name,
    type: request.file.type || 'application/octet-stream',
    size: request.file.size,
    expected: request.file.size,
    status: 'completed',
    createdAt: now,
    completedAt: now,
    kind: 'resumable',
    url: `${request.server}/api/uploads/${id}/content`,
  };
}
