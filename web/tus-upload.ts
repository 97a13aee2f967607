// One file sent resumably through tus-js-client (a well-kept library: XHR underneath, so upload
// progress is reported as bytes leave). Chunked, so a proxy's body limit never sees the whole file;
// a dropped connection is retried from the server's offset by tus-js-client itself; the upload's URL is
// kept in localStorage under the file's fingerprint (name, type, size, lastModified, endpoint), so the
// same file chosen again after a reload resumes instead of starting over. Self-contained: no page
// DOM, so the <livedrop-upload> element can use it too.

import * as tus from 'tus-js-client';
import { errorMessage } from './api-error.js';
import { relativePath } from './folder-drop.js';
import type { RunningUpload, UploadHandlers, UploadOutcome } from './xhr-upload.js';

export interface ResumableRequest {
  /** The tus endpoint, e.g. https://host/api/tus. */
  endpoint: string;
  file: File;
  ref: string;
  headers: Record<string, string>;
  /** Largest PATCH body (the server's TUS_CHUNK_SIZE). */
  chunkSize: number;
}

/** An unfinished upload this browser started (from tus-js-client's URL storage). */
export type StoredUpload = Awaited<ReturnType<tus.Upload['findPreviousUploads']>>[number];

/** Retries after a network failure: quickly at first, then every 10 s for about five minutes. */
const RETRY_DELAYS = [0, 1000, 2000, 4000, 8000, ...Array<number>(30).fill(10_000)];

export function sendResumable(request: ResumableRequest, handlers: UploadHandlers): RunningUpload {
  let aborted = false;
  let settle: (outcome: UploadOutcome) => void = () => {};
  const outcome = new Promise<UploadOutcome>((resolve) => {
    settle = resolve;
  });
  const upload = new tus.Upload(request.file, {
    endpoint: request.endpoint,
    chunkSize: request.chunkSize,
    retryDelays: RETRY_DELAYS,
    headers: { ...request.headers, 'X-Upload-Ref': request.ref },
    metadata: {
      filename: request.file.name,
      filetype: request.file.type || 'application/octet-stream',
      // The file's path in a dropped folder, as Uppy names it; the server keeps it as `path`.
      ...(relativePath(request.file) && { relativePath: relativePath(request.file)! }),
    },
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onProgress(sent, total) {
      if (aborted) return;
      handlers.progress(sent);
      if (sent === total) handlers.processing();
    },
    onSuccess: () => settle({ kind: 'done', upload: null, ...(upload.url && { url: upload.url }) }),
    onError(error) {
      if (aborted) return;
      const response = (error as tus.DetailedError).originalResponse;
      const status = response?.getStatus() ?? 0;
      settle(
        status === 0
          ? { kind: 'network' }
          : { kind: 'refused', status, message: errorMessage(status, response?.getBody() ?? '') },
      );
    },
  });
  void upload.findPreviousUploads().then((previous) => {
    if (aborted) return;
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  });
  return {
    outcome,
    abort() {
      if (aborted) return;
      aborted = true;
      // abort(true) terminates the upload on the server (tus termination) and forgets its URL here.
      void upload.abort(true).catch(() => {});
      settle({ kind: 'aborted' });
    },
  };
}

/** This browser's unfinished uploads to `endpoint`, with the share the server holds of each. */
export async function unfinishedUploads(
  endpoint: string,
  headers: Record<string, string>,
): Promise<{ stored: StoredUpload; offset: number }[]> {
  const all = await tus.defaultOptions.urlStorage.findAllUploads();
  const found: { stored: StoredUpload; offset: number }[] = [];
  for (const stored of all) {
    if (!stored.uploadUrl?.startsWith(new URL(endpoint).origin)) continue;
    try {
      const response = await fetch(stored.uploadUrl, {
        method: 'HEAD',
        headers: { ...headers, 'Tus-Resumable': '1.0.0' },
        cache: 'no-store',
      });
      const offset = Number(response.headers.get('Upload-Offset'));
      if (response.ok && Number.isFinite(offset)) found.push({ stored, offset });
      // Gone on the server (expired, terminated): nothing left to resume.
      else if (response.status === 404 || response.status === 410) await forgetUpload(stored);
    } catch {
      // Server unreachable: try again on the next load.
    }
  }
  return found;
}

/** Terminates a stored upload on the server and forgets it here. */
export async function discardUpload(stored: StoredUpload, headers: Record<string, string>): Promise<void> {
  if (stored.uploadUrl) await tus.Upload.terminate(stored.uploadUrl, { headers }).catch(() => {});
  await forgetUpload(stored);
}

const forgetUpload = (stored: StoredUpload) =>
  tus.defaultOptions.urlStorage.removeUpload(stored.urlStorageKey);
