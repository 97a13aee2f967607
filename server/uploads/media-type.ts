// Media types: what we store for a file, which uploads ALLOWED_TYPES admits, and which types are safe
// to show inline in a browser.

// RFC 9110 §8.3.1: media-type = type "/" subtype, both `token`s (RFC 9110 §5.6.2 tchar).
const MEDIA_TYPE = /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/;

export const FALLBACK_TYPE = 'application/octet-stream';

/** The client's declared type (lower-cased, without parameters) if it is a valid media type, else octet-stream. */
export function normalizeMediaType(declared: string | undefined): string {
  const type = (declared ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return type.length <= 255 && MEDIA_TYPE.test(type) ? type : FALLBACK_TYPE;
}

/** `patterns` are ALLOWED_TYPES entries: exact types or `type/*`; an empty list admits everything. */
export function isTypeAllowed(type: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) =>
    pattern.endsWith('/*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
  );
}

/** Raster formats browsers decode without running anything. Never SVG (scriptable) or HTML. */
const INLINE_SAFE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

export const isInlineSafe = (type: string) => INLINE_SAFE_TYPES.has(type);
