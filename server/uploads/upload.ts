// The Upload object of the API and of every event (DESIGN.md §4).

/** `paused`: a resumable (tus) upload whose connection ended; it goes on until `expiresAt` (DESIGN.md §8). */
export type UploadStatus = 'uploading' | 'paused' | 'completed' | 'failed' | 'aborted';

export interface Upload {
  /** Random, unguessable (≥ 128 bits); also the file name on disk. */
  id: string;
  /** The request's X-Upload-Ref header, echoed so a client can match events to its own files. */
  ref?: string;
  /** The client's file name, sanitised for display only: never used as a path. */
  name: string;
  type: string;
  /** Bytes stored so far (acknowledged by the file system). */
  size: number;
  /** The exact total announced by the `size` field, or null when unknown. */
  expected: number | null;
  status: UploadStatus;
  sha256?: string;
  /** A small data:image/(png|jpeg|webp);base64 URL made by the client. */
  thumbnail?: string;
  createdAt: string;
  completedAt?: string;
  /** The content URL, once completed. */
  url?: string;
  /** How the upload arrived: `multipart` (POST /api/uploads) or `resumable` (tus). Absent means multipart. */
  kind?: 'multipart' | 'resumable';
  /** A resumable upload that is not complete is removed at this time (ISO 8601). */
  expiresAt?: string;
  /** The file's path inside a dropped folder, sanitised like `name` (display only, never a storage path). */
  path?: string;
  /** Metadata the pre-upload hook added (HOOK_PRE_UPLOAD_URL): string values, shown to whoever may read the upload. */
  meta?: Record<string, string>;
}

export interface UploadError {
  code: string;
  message: string;
}
