// The seam between the upload pipeline and whatever watches it (the live progress tracker in
// server/events/). The pipeline calls these as things happen; it never knows who listens.
import type { Upload, UploadError } from './upload.js';

export interface UploadObserver {
  started(upload: Upload): void;
  /** Called after every write the file system acknowledged; `upload.size` is the new byte count.
   *  Called often (once per chunk): implementations throttle, and must be cheap. */
  progress(upload: Upload): void;
  completed(upload: Upload): void;
  failed(upload: Upload, error: UploadError): void;
  aborted(upload: Upload): void;
  /** A resumable upload's connection ended before its last byte: `upload.size` is stored, it resumes until `expiresAt`. */
  paused(upload: Upload): void;
  /** A resumable upload reached `expiresAt` unfinished: its bytes are gone. */
  expired(upload: Upload): void;
  deleted(id: string): void;
}
