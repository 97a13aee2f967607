// The tus 1.0.0 request headers, parsed strictly (tus-resumable-upload-protocol, protocol.md): a bad
// value is a 400 before anything is stored. Upload-Metadata is kept as sent, byte for byte; only the
// two keys livedrop reads (filename, filetype) are decoded.
import { errors } from '../errors.js';

export const TUS_VERSION = '1.0.0';

/** §Upload-Checksum: sha1 is mandatory; md5 and sha256 because clients commonly send them. */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** What a cross-origin tus client sends (the CORS allow list; tusd pkg/handler/config.go). */
export const TUS_REQUEST_HEADERS = [
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Upload-Checksum',
  'X-HTTP-Method-Override',
  'X-Requested-With',
  'Upload-Complete',
  'Upload-Draft-Interop-Version',
];

/** What it must be able to read (the CORS expose list: tus issue trackers' first pain point). */
export const TUS_RESPONSE_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Metadata',
  'Upload-Concat',
  'Upload-Defer-Length',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Upload-Complete',
  'Upload-Limit',
  'Upload-Draft-Interop-Version',
];

type HeaderValue = string | string[] | undefined;

const single = (name: string, value: HeaderValue): string | undefined => {
  if (Array.isArray(value)) throw new errors.TUS_INVALID_HEADER(name, 'sent more than once');
  return value;
};

/** A non-negative integer header (Upload-Length, Upload-Offset): digits only, a safe integer. */
export function parseByteCount(name: string, value: HeaderValue): number | undefined {
  const raw = single(name, value);
  if (raw === undefined) return undefined;
  const n = /^\d{1,16}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new errors.TUS_INVALID_HEADER(name, 'expected a non-negative integer');
  return n;
}

/** §Upload-Defer-Length: the only valid value is 1. */
export function parseDeferLength(value: HeaderValue): boolean {
  const raw = single('Upload-Defer-Length', value);
  if (raw === undefined) return false;
  if (raw.trim() !== '1')
    throw new errors.TUS_INVALID_HEADER('Upload-Defer-Length', 'the only valid value is 1');
  return true;
}

export interface Metadata {
  /** The header exactly as sent (echoed by HEAD), or null when absent. */
  raw: string | null;
  /** Decoded UTF-8 values of the keys that carried one. */
  values: Map<string, string>;
}

const METADATA_KEY = /^[\x21-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Metadata is a header: bounded like one, well below Node's 16 KiB for all headers. */
export const MAX_METADATA_BYTES = 8 * 1024;

/**
 * §Upload-Metadata: comma-separated `key base64value` pairs (the value may be absent); keys unique,
 * without spaces or commas. Node hands header bytes over as latin1 and base64 is ASCII, so `raw`
 * round-trips byte-exact; values are decoded as UTF-8 (tus-js-client encodes them so).
 */
export function parseMetadata(value: HeaderValue): Metadata {
  const raw = single('Upload-Metadata', value);
  const values = new Map<string, string>();
  if (raw === undefined) return { raw: null, values };
  if (raw.length > MAX_METADATA_BYTES)
    throw new errors.TUS_INVALID_HEADER('Upload-Metadata', 'longer than 8 KiB');
  if (raw.trim() === '') return { raw, values };
  for (const pair of raw.split(',')) {
    const [key, encoded, ...rest] = pair.trim().split(' ');
    if (!key || !METADATA_KEY.test(key) || rest.length > 0 || values.has(key)) {
      throw new errors.TUS_INVALID_HEADER('Upload-Metadata', 'expected unique "key base64" pairs');
    }
    if (encoded !== undefined && !BASE64.test(encoded)) {
      throw new errors.TUS_INVALID_HEADER('Upload-Metadata', `the value of ${key} is not base64`);
    }
    values.set(key, Buffer.from(encoded ?? '', 'base64').toString('utf8'));
  }
  return { raw, values };
}

export interface Checksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

/** §checksum: `Upload-Checksum: <algorithm> <base64 digest>`; an algorithm we do not support is a 400. */
export function parseChecksum(value: HeaderValue): Checksum | null {
  const raw = single('Upload-Checksum', value);
  if (raw === undefined) return null;
  const [algorithm, encoded, ...rest] = raw.trim().split(' ');
  if (!CHECKSUM_ALGORITHMS.includes(algorithm as ChecksumAlgorithm)) {
    throw new errors.TUS_CHECKSUM_UNKNOWN(algorithm, CHECKSUM_ALGORITHMS.join(', '));
  }
  if (encoded === undefined || rest.length > 0 || !BASE64.test(encoded)) {
    throw new errors.TUS_INVALID_HEADER('Upload-Checksum', 'expected "<algorithm> <base64 digest>"');
  }
  return { algorithm: algorithm as ChecksumAlgorithm, digest: Buffer.from(encoded, 'base64') };
}

export type Concat = { kind: 'partial' } | { kind: 'final'; urls: string[] };

/** §concatenation: `partial`, or `final;<url> <url>…` naming the partial uploads in order. */
export function parseConcat(value: HeaderValue): Concat | null {
  const raw = single('Upload-Concat', value)?.trim();
  if (raw === undefined) return null;
  if (raw === 'partial') return { kind: 'partial' };
  const match = /^final;(.+)$/.exec(raw);
  const urls = match ? match[1]!.trim().split(/ +/) : [];
  if (urls.length === 0) {
    throw new errors.TUS_INVALID_HEADER('Upload-Concat', 'expected "partial" or "final;<url> <url>…"');
  }
  return { kind: 'final', urls };
}

/** The id at the end of a partial upload's URL (absolute or relative; the last path segment). */
export function idFromUploadUrl(url: string): string {
  try {
    return new URL(url, 'http://x').pathname.split('/').filter(Boolean).at(-1) ?? '';
  } catch {
    return '';
  }
}
