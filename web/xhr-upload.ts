// One file, one request: XMLHttpRequest with FormData, because fetch() still cannot report upload
// progress. The `size`, `thumbnail` and `path` fields go BEFORE the file part: the server reads the body as a
// stream and applies fields to the file that follows them (DESIGN.md §4).

import { errorMessage } from './api-error.js';
import type { Upload } from './api-types.js';
import { relativePath } from './folder-drop.js';
import { SentBytes } from './sent-bytes.js';

export interface UploadRequest {
  url: string;
  file: File;
  thumbnail: string | null;
  ref: string;
  headers: Record<string, string>;
}

export type UploadOutcome =
  /** `url`: where a resumable (tus) upload lives; its last segment is the upload id. */
  | { kind: 'done'; upload: Upload | null; url?: string }
  | { kind: 'refused'; status: number; message: string }
  /** No HTTP answer at all: connection refused or reset, offline, or a CORS failure. */
  | { kind: 'network' }
  | { kind: 'aborted' };

export interface UploadHandlers {
  /** File bytes sent so far: scaled, monotonic, silent after abort. */
  progress(sent: number): void;
  /** Every byte is out; the server is still writing, hashing and answering. */
  processing(): void;
}

export interface RunningUpload {
  outcome: Promise<UploadOutcome>;
  abort(): void;
}

export function sendFile(request: UploadRequest, handlers: UploadHandlers): RunningUpload {
  const xhr = new XMLHttpRequest();
  const sent = new SentBytes(request.file.size);
  let aborted = false;

  const outcome = new Promise<UploadOutcome>((resolve) => {
    xhr.upload.onprogress = (event) => {
      if (aborted || !event.lengthComputable) return;
      handlers.progress(sent.update(event.loaded, event.total));
    };
    xhr.upload.onload = () => {
      if (aborted) return;
      handlers.progress(sent.finish());
      handlers.processing();
    };
    xhr.onload = () => {
      sent.freeze();
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ kind: 'done', upload: firstUpload(xhr.responseText) });
      } else {
        resolve({ kind: 'refused', status: xhr.status, message: errorMessage(xhr.status, xhr.responseText) });
      }
    };
    xhr.onerror = () => {
      sent.freeze();
      resolve({ kind: 'network' });
    };
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => {
      sent.freeze();
      resolve({ kind: 'aborted' });
    };

    const form = new FormData();
    form.append('size', String(request.file.size));
    if (request.thumbnail) form.append('thumbnail', request.thumbnail);
    const path = relativePath(request.file);
    if (path) form.append('path', path);
    form.append('file', request.file, request.file.name);

    xhr.open('POST', request.url);
    xhr.setRequestHeader('X-Upload-Ref', request.ref);
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    xhr.send(form);
  });

  return {
    outcome,
    abort() {
      if (aborted) return;
      aborted = true;
      sent.freeze();
      xhr.abort();
    },
  };
}

function firstUpload(body: string): Upload | null {
  try {
    const value = JSON.parse(body) as { uploads?: Upload[] };
    return value.uploads?.[0] ?? null;
  } catch {
    return null;
  }
}
