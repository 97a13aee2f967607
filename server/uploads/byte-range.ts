// The Range request header for GET /api/uploads/:id/content (RFC 9110 §14.1.2, §14.2).

export interface ByteRange {
  start: number;
  /** Inclusive, as in Content-Range. */
  end: number;
}

/**
 * A single satisfiable range, 'unsatisfiable' (→ 416), or null when the header should be ignored and
 * the whole file sent: it is absent, not in bytes, malformed, or asks for several ranges (§14.2: a
 * server MAY ignore Range; we do not build multipart/byteranges responses).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return null;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return null;

  if (first === '') {
    // suffix-range: the last N bytes (§14.1.2); a zero-length suffix cannot be satisfied.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return null; // invalid range-spec: ignored like a malformed header
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}
