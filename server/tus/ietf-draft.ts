// The IETF draft "Resumable Uploads for HTTP" (draft-ietf-httpbis-resumable-upload) on the same
// endpoint, in the interop versions tus-js-client speaks (`protocol: 'ietf-draft-03'` = interop 5,
// `'ietf-draft-05'` = interop 6). A draft request names its version in Upload-Draft-Interop-Version
// instead of Tus-Resumable; the resource, offsets and locking are the tus ones. Not done: the 104
// interim response (Node 20 cannot send arbitrary 1xx; browsers' XHR and Node clients ignore it).
import type { FastifyRequest } from 'fastify';

export const DRAFT_INTEROP_VERSIONS = ['5', '6'] as const;
export type DraftVersion = (typeof DRAFT_INTEROP_VERSIONS)[number];

/** The draft interop version a request speaks, or null for a tus 1.0 request. */
export function draftVersion(request: FastifyRequest): DraftVersion | null {
  const value = request.headers['upload-draft-interop-version'];
  return DRAFT_INTEROP_VERSIONS.includes(value as DraftVersion) ? (value as DraftVersion) : null;
}

/** Interop 6 appends with `application/partial-upload`; interop 5 names no type. */
export const PARTIAL_UPLOAD = /^application\/partial-upload\s*(;|$)/i;

/** Upload-Complete is an RFC 8941 boolean: `?1` means this request carries the last byte. */
export function uploadComplete(request: FastifyRequest): boolean {
  const value = request.headers['upload-complete'];
  return typeof value === 'string' && value.trim() === '?1';
}
