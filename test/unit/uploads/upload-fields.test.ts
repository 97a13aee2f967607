import { describe, expect, it } from 'vitest';
import {
  parseRefHeader,
  parseSizeField,
  parseThumbnailField,
} from '../../../server/uploads/upload-fields.js';

const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'no error';
};

describe('upload fields', () => {
  it('reads size as an exact whole number', () => {
    expect(parseSizeField('0')).toBe(0);
    expect(parseSizeField('5368709120')).toBe(5368709120);
    for (const bad of ['', '-1', '1.5', '1e3', ' 12', '99999999999999999']) {
      expect(code(() => parseSizeField(bad))).toBe('UPLOAD_INVALID_FIELD');
    }
  });

  it('accepts png/jpeg/webp base64 data URLs up to 16 KiB as thumbnails', () => {
    const ok = 'data:image/webp;base64,UklGRg==';
    expect(parseThumbnailField(ok, false)).toBe(ok);
    for (const bad of [
      'data:image/svg+xml;base64,PHN2Zz4=',
      'data:text/html;base64,PGI+',
      'data:image/png,raw',
    ]) {
      expect(code(() => parseThumbnailField(bad, false))).toBe('UPLOAD_INVALID_FIELD');
    }
    expect(code(() => parseThumbnailField(ok, true))).toBe('UPLOAD_INVALID_FIELD');
  });

  it('accepts X-Upload-Ref of 1–64 safe characters', () => {
    expect(parseRefHeader(undefined)).toBeUndefined();
    expect(parseRefHeader('a.B_c-9')).toBe('a.B_c-9');
    for (const bad of ['', 'a b', 'a/b', 'x'.repeat(65), ['a', 'b']]) {
      expect(code(() => parseRefHeader(bad))).toBe('UPLOAD_INVALID_FIELD');
    }
  });
});
