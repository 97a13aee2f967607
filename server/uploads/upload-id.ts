// Upload ids: random and unguessable (DESIGN.md §4), also the name of the upload's blob and record
// in every storage backend, so they must stay safe as file names, object keys and URL segments.
import { randomBytes } from 'node:crypto';

/** 16 random bytes (128 bits) as base64url: 22 characters, safe as a file name and in URLs. */
export const newUploadId = () => randomBytes(16).toString('base64url');
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const isUploadId = (id: string) => ID_PATTERN.test(id);

export const contentUrl = (id: string) => `/api/uploads/${id}/content`;
