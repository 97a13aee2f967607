import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NAME_BYTES, sanitizeFileName } from '../../../server/uploads/file-name.js';

describe('sanitizeFileName', () => {
  it.each([
    ['photo.jpg', 'photo.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\report.pdf', 'report.pdf'],
    ['a\u0000b', 'ab'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['\u2066isolate\u2069.png', 'isolate.png'],
    ['..', 'file'],
    ['...', 'file'],
    ['   ', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['a..b', 'a.b'],
    ['  spaced name.txt  ', 'spaced name.txt'],
    ['e\u0301.txt', 'é.txt'],
  ])('%j → %j', (raw, clean) => {
    expect(sanitizeFileName(raw)).toBe(clean);
  });

  it('caps a long name at 255 UTF-8 bytes and keeps its extension', () => {
    const name = sanitizeFileName(`${'ж'.repeat(300)}.tar.gz`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(name.endsWith('.gz')).toBe(true);
    expect(name.startsWith('жж')).toBe(true);
  });

  it('never splits a character when cutting', () => {
    const name = sanitizeFileName('😀'.repeat(100));
    expect(name).toBe('😀'.repeat(63));
  });

  it('always yields a short, separator-free, control-free, non-empty name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (raw) => {
        const name = sanitizeFileName(raw);
        expect(name.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(name).not.toMatch(/[/\\\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
        expect(name).not.toContain('..');
      }),
    );
  });
});
