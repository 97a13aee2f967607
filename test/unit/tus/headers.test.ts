import { describe, expect, it } from 'vitest';
import {
  idFromUploadUrl,
  parseByteCount,
  parseChecksum,
  parseConcat,
  parseDeferLength,
  parseMetadata,
} from '../../../server/tus/headers.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return 'no error';
};

describe('tus header parsing', () => {
  it('reads Upload-Length and Upload-Offset as non-negative integers', () => {
    expect(parseByteCount('Upload-Length', '0')).toBe(0);
    expect(parseByteCount('Upload-Length', '67108864')).toBe(67108864);
    expect(parseByteCount('Upload-Length', undefined)).toBeUndefined();
  });

  it.each(['-1', '1.5', '12abc', '', '99999999999999999', '0x10'])('400 for Upload-Length %j', (raw) => {
    expect(codeOf(() => parseByteCount('Upload-Length', raw))).toBe('TUS_INVALID_HEADER');
  });

  it('400 for a header sent twice', () => {
    expect(codeOf(() => parseByteCount('Upload-Offset', ['1', '2']))).toBe('TUS_INVALID_HEADER');
  });

  it('accepts only 1 as Upload-Defer-Length', () => {
    expect(parseDeferLength('1')).toBe(true);
    expect(parseDeferLength(undefined)).toBe(false);
    expect(codeOf(() => parseDeferLength('0'))).toBe('TUS_INVALID_HEADER');
  });

  it('keeps Upload-Metadata byte-exact and decodes UTF-8 values', () => {
    const raw = `filename ${b64('Grüße 日本.txt')},filetype ${b64('text/plain')},is-confidential`;
    const metadata = parseMetadata(raw);
    expect(metadata.raw).toBe(raw);
    expect(metadata.values.get('filename')).toBe('Grüße 日本.txt');
    expect(metadata.values.get('filetype')).toBe('text/plain');
    expect(metadata.values.get('is-confidential')).toBe('');
  });

  it.each([
    ['duplicate key', `a ${b64('x')},a ${b64('y')}`],
    ['not base64', 'filename ***'],
    ['three words', 'a b c'],
    ['an empty pair', `a ${b64('x')},,b`],
  ])('400 for Upload-Metadata with %s', (_what, raw) => {
    expect(codeOf(() => parseMetadata(raw))).toBe('TUS_INVALID_HEADER');
  });

  it('reads Upload-Checksum for sha1, sha256 and md5', () => {
    const digest = Buffer.from('0123456789abcdef0123');
    expect(parseChecksum(`sha1 ${digest.toString('base64')}`)).toEqual({ algorithm: 'sha1', digest });
    expect(parseChecksum(`md5 ${b64('x')}`)?.algorithm).toBe('md5');
    expect(parseChecksum(`sha256 ${b64('x')}`)?.algorithm).toBe('sha256');
    expect(parseChecksum(undefined)).toBeNull();
  });

  it('400 TUS_CHECKSUM_UNKNOWN for an unsupported algorithm', () => {
    expect(codeOf(() => parseChecksum(`crc32 ${b64('x')}`))).toBe('TUS_CHECKSUM_UNKNOWN');
  });

  it('400 for an Upload-Checksum without a base64 digest', () => {
    expect(codeOf(() => parseChecksum('sha1'))).toBe('TUS_INVALID_HEADER');
    expect(codeOf(() => parseChecksum('sha1 !!!'))).toBe('TUS_INVALID_HEADER');
  });

  it('reads Upload-Concat partial and final with absolute and relative URLs', () => {
    expect(parseConcat('partial')).toEqual({ kind: 'partial' });
    expect(parseConcat('final;/api/tus/a http://h:1/api/tus/b')).toEqual({
      kind: 'final',
      urls: ['/api/tus/a', 'http://h:1/api/tus/b'],
    });
    expect(idFromUploadUrl('http://h:1/api/tus/b')).toBe('b');
    expect(idFromUploadUrl('/api/tus/a')).toBe('a');
    expect(codeOf(() => parseConcat('final;'))).toBe('TUS_INVALID_HEADER');
    expect(codeOf(() => parseConcat('whole'))).toBe('TUS_INVALID_HEADER');
  });
});
