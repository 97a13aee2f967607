// The client's file name is display metadata only (files are stored under their random id), but it is
// shown on every dashboard and sent back in Content-Disposition, so it is cleaned of anything that
// could move a path, hide characters or reorder text.

/** Names are capped in UTF-8 bytes, the limit most file systems use for one path component. */
export const MAX_NAME_BYTES = 255;
/** An extension longer than this is treated as part of the name when truncating. */
const MAX_EXTENSION_BYTES = 16;

// C0/C1 controls (NUL included), bidi marks and overrides (U+200E/F, U+202A–202E, U+2066–2069),
// line/paragraph separators and the BOM: invisible characters that can disguise a name
// ("invoice\u202Efdp.exe" displays as "invoiceexe.pdf").
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const utf8Length = (text: string) => Buffer.byteLength(text, 'utf8');

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const char of text) {
    bytes += utf8Length(char);
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

export function sanitizeFileName(raw: string | undefined): string {
  let name = (raw ?? '').replace(LONE_SURROGATE, '').normalize('NFC');
  // Keep only the last path component, whichever separator the client's OS uses.
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  name = name
    .replace(INVISIBLE, '')
    .replace(/\.{2,}/g, '.')
    .trim();
  if (/^\.*$/.test(name)) return 'file';
  if (utf8Length(name) <= MAX_NAME_BYTES) return name;

  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot) : '';
  if (extension && utf8Length(extension) <= MAX_EXTENSION_BYTES) {
    const stem = truncateUtf8(name.slice(0, dot), MAX_NAME_BYTES - utf8Length(extension)).trimEnd();
    return stem + extension;
  }
  return truncateUtf8(name, MAX_NAME_BYTES).trimEnd();
}

/** A folder path (`photos/2024/a.jpg`, from a dropped folder) is capped at this many UTF-8 bytes. */
export const MAX_PATH_BYTES = 1024;

/**
 * The relative path of a file inside a dropped folder, for display and search only (files are
 * stored under their id, never under this path). Each component is cleaned like a name; empty, `.`
 * and `..` components are dropped, and `/` joins what is left. When the path is longer than
 * MAX_PATH_BYTES the leading folders are dropped (the file's own name matters most). Undefined when
 * nothing is left.
 */
export function sanitizeRelativePath(raw: string): string | undefined {
  const parts = raw
    .replace(LONE_SURROGATE, '')
    .normalize('NFC')
    .split(/[/\\]/)
    .map((part) => part.replace(INVISIBLE, '').trim())
    .filter((part) => !/^\.*$/.test(part))
    .map((part) =>
      utf8Length(part) <= MAX_NAME_BYTES ? part : truncateUtf8(part, MAX_NAME_BYTES).trimEnd(),
    );
  while (parts.length > 1 && utf8Length(parts.join('/')) > MAX_PATH_BYTES) parts.shift();
  return parts.length > 0 ? parts.join('/') : undefined;
}
