// The multipart/form-data parser of POST /api/uploads (@fastify/busboy used directly), with every
// limit set explicitly: a body can ask for no more files, fields, header bytes or bytes per file
// than these, whatever it says about itself.
import type { IncomingHttpHeaders } from 'node:http';
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import { MAX_THUMBNAIL_LENGTH } from './upload-fields.js';

// The parser's own header limits: a part needs Content-Disposition and Content-Type, a few more at most.
const HEADER_PAIRS = 16;
const HEADER_BYTES = 16 * 1024;
const FIELD_NAME_BYTES = 100;

export interface PartLimits {
  maxFiles: number;
  maxFileSize: number;
}

/** The parser, and how many non-file fields it allows (for the error that says so). */
export function createMultipartParser(
  headers: IncomingHttpHeaders,
  { maxFiles, maxFileSize }: PartLimits,
): { parser: BusboyInstance; fields: number } {
  // Room for a size, a thumbnail and a path per file plus a few unknown fields; parts = files +
  // fields + 1 so that one file too many is reported as such rather than as too many parts.
  const fields = 3 * maxFiles + 8;
  const parser = Busboy({
    headers: headers as BusboyHeaders,
    // A part is a file when it has a filename (RFC 7578 §4.2), whatever its Content-Type.
    isPartAFile: (_field, _type, filename) => filename !== undefined,
    // The raw name reaches sanitizeFileName, which strips paths itself; busboy's stripping would
    // turn a name like ".." into "" (and "" means "no file chosen").
    preservePath: true,
    limits: {
      fileSize: maxFileSize,
      files: maxFiles,
      fields,
      fieldSize: MAX_THUMBNAIL_LENGTH,
      fieldNameSize: FIELD_NAME_BYTES,
      parts: maxFiles + fields + 1,
      headerPairs: HEADER_PAIRS,
      headerSize: HEADER_BYTES,
    },
  });
  return { parser, fields };
}
