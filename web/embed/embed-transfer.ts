// One file's way to the server, with the page's own uploaders: web/xhr-upload.ts (multipart, one
// request per file, real progress) or, above the server's RESUMABLE_THRESHOLD, web/tus-upload.ts. A
// network failure or a 5xx is retried with the page's backoff; a refusal (4xx) is final. While the
// browser is offline nothing is tried: the transfer waits for the network to come back (which costs
// no retry), then a resumable file carries on from the server's offset.
import { isRetryable } from '../api-error.js';
import type { Upload } from '../api-types.js';
import { backoffDelay, uploadBackoff } from '../backoff.js';
import { sendResumable } from '../tus-upload.js';
import { type RunningUpload, sendFile } from '../xhr-upload.js';

const RETRIES = 3;

export interface TransferRequest {
  server: string;
  token: string | null;
  file: File;
  ref: string;
  /** The server's tus settings (GET /api/config): files above the threshold go resumably. */
  resumable: { threshold: number; chunkSize: number } | null;
}

export interface TransferHandlers {
  /** File bytes the server has been sent so far. */
  progress(sent: number): void;
  /** The browser went offline (true) and the transfer waits; it is back and going on (false). */
  offline(waiting: boolean): void;
}

export type TransferOutcome =
  | { kind: 'done'; upload: Upload }
  | { kind: 'failed'; status: number; message: string }
  | { kind: 'aborted' };

export interface Transfer {
  outcome: Promise<TransferOutcome>;
  abort(): void;
}

export function startTransfer(request: TransferRequest, handlers: TransferHandlers): Transfer {
  let abort = () => {};
  let aborted = false;
  const resumable = request.resumable !== null && request.file.size > request.resumable.threshold;
  const outcome = (async (): Promise<TransferOutcome> => {
    for (let failures = 0; ; ) {
      const running = send(request, resumable, handlers.progress);
      abort = running.abort;
      const result = await running.outcome;
      if (result.kind === 'aborted' || aborted) return { kind: 'aborted' };
      if (result.kind === 'done') {
        if (result.upload) return { kind: 'done', upload: result.upload };
        if (result.url) return { kind: 'done', upload: resumableUpload(request, result.url) };
        return { kind: 'failed', status: 0, message: 'The server answered without an upload' };
      }
      const status = result.kind === 'refused' ? result.status : 0;
      const message = result.kind === 'refused' ? result.message : 'Network error';
      // Offline, tus-js-client gives up at once (its defaultOnShouldRetry checks navigator.onLine)
      // and a backoff would only burn the retries: wait for the `online` event instead. The next
      // sendResumable finds the upload's URL under the file's fingerprint and resumes it.
      if (status === 0 && navigator.onLine === false) {
        handlers.offline(true);
        await new Promise<void>((resolve) => {
          abort = resolve;
          window.addEventListener('online', () => resolve(), { once: true });
          if (navigator.onLine) resolve(); // back already, before the listener was in place
        });
        if (aborted) return { kind: 'aborted' };
        handlers.offline(false);
        continue;
      }
      // tus-js-client has already retried a resumable file for minutes (RETRY_DELAYS in tus-upload.ts).
      const retries = resumable ? 0 : RETRIES;
      if (!isRetryable(status) || failures >= retries) return { kind: 'failed', status, message };
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(failures++, uploadBackoff)));
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

function send(request: TransferRequest, resumable: boolean, progress: (sent: number) => void): RunningUpload {
  const headers: Record<string, string> = request.token ? { Authorization: `Bearer ${request.token}` } : {};
  const handlers = { progress, processing: () => {} };
  // Big files go through tus like on livedrop's own page: a cut connection resumes from the server's
  // offset, and tus-js-client retries by itself while the browser is online.
  if (resumable && request.resumable) {
    const { chunkSize } = request.resumable;
    const endpoint = `${request.server}/api/tus`;
    return sendResumable({ endpoint, file: request.file, ref: request.ref, headers, chunkSize }, handlers);
  }
  const url = `${request.server}/api/uploads`;
  return sendFile({ url, file: request.file, thumbnail: null, ref: request.ref, headers }, handlers);
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
