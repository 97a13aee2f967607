import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PATH_BYTES, sanitizeRelativePath } from '../../../server/uploads/file-name.js';

describe('sanitizeRelativePath', () => {
  it.each([
    ['photos/2024/a.jpg', 'photos/2024/a.jpg'],
    ['photos\\2024\\a.jpg', 'photos/2024/a.jpg'],
    ['/etc/passwd', 'etc/passwd'],
    ['../../secret/../x.txt', 'secret/x.txt'],
    ['./a/./b/', 'a/b'],
    ['a//b', 'a/b'],
    ['dir\u202Eevil/fdp.exe', 'direvil/fdp.exe'],
    ['  spaced / name.txt ', 'spaced/name.txt'],
    ['e\u0301/f.txt', 'é/f.txt'],
    ['..', undefined],
    ['', undefined],
    ['///', undefined],
  ])('%j → %j', (raw, clean) => {
    expect(sanitizeRelativePath(raw)).toBe(clean);
  });

  it('drops leading folders of a path over 1024 bytes, keeping the file name', () => {
    const path = sanitizeRelativePath(`${'folder/'.repeat(300)}last.txt`)!;
    expect(Buffer.byteLength(path)).toBeLessThanOrEqual(MAX_PATH_BYTES);
    expect(path.endsWith('/last.txt')).toBe(true);
  });

  it('never yields a component that could move a path or hide characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (raw) => {
        const path = sanitizeRelativePath(raw);
        if (path === undefined) return;
        expect(path).not.toMatch(/\\|[\u0000-\u001f\u202a-\u202e]/);
        for (const part of path.split('/')) expect(part).not.toMatch(/^\.*$/);
        expect(path.startsWith('/')).toBe(false);
      }),
    );
  });
});
