// One file's way to the server, with the page's own uploader (web/xhr-upload.ts: multipart, one
// request per file, real progress). A network failure or a 5xx is retried with the page's backoff;
// a refusal (4xx) is final.
import { isRetryable } from '../api-error.js';
import type { Upload } from '../api-types.js';
import { backoffDelay, uploadBackoff } from '../backoff.js';
import { sendFile } from '../xhr-upload.js';

const RETRIES = 3;

export interface TransferRequest {
  server: string;
  token: string | null;
  file: File;
  ref: string;
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
    for (let attempt = 0; ; attempt++) {
      const running = sendFile(
        {
          url: `${request.server}/api/uploads`,
          file: request.file,
          thumbnail: null,
          ref: request.ref,
          headers: request.token ? { Authorization: `Bearer ${request.token}` } : {},
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
