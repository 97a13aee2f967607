// What the two upload paths (multipart, tus) share: the file as checked before sending, and the
// progress they report back.
import type { Hash } from 'node:crypto';

export interface FileToUpload {
  path: string;
  /** Sent as the file name (the server sanitises it again). */
  name: string;
  size: number;
  type: string;
}

export interface UploadProgress {
  /** X-Upload-Ref of a multipart request: how the live feed's events are matched to this file. */
  ref: string;
  /** The file's sha256 as it is read (multipart hashes what it sends). */
  hash: Hash;
  sent(bytes: number): void;
  /** A resumed upload goes on from `offset`, which the server already holds. */
  resumedAt(offset: number): void;
  /** The upload's id, once known (tus: when created), so its live events can be matched. */
  identified(id: string): void;
  /** Notes for the user (e.g. "resuming at …"). */
  note(line: string): void;
}
