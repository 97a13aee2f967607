import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../../web/api-types.js';
import { refusal, sortFiles, typeAllowed } from '../../../web/file-checks.js';

const config: ServerConfig = { maxFileSize: 5 * 1024 ** 3, maxFiles: 2, allowedTypes: [], auth: false };

describe('typeAllowed', () => {
  it('allows anything with an empty list', () => {
    expect(typeAllowed('application/x-anything', [])).toBe(true);
  });

  it('matches exact types and wildcard subtypes, ignoring case', () => {
    const allowed = ['image/*', 'application/pdf'];
    expect(typeAllowed('image/png', allowed)).toBe(true);
    expect(typeAllowed('IMAGE/JPEG', allowed)).toBe(true);
    expect(typeAllowed('application/pdf', allowed)).toBe(true);
    expect(typeAllowed('application/pdfx', allowed)).toBe(false);
    expect(typeAllowed('text/plain', allowed)).toBe(false);
    expect(typeAllowed('imagex/png', allowed)).toBe(false);
  });
});

describe('refusal', () => {
  it('says what the server would say about an oversized file', () => {
    expect(refusal({ name: 'big', size: 5 * 1024 ** 3 + 1, type: '' }, config)).toBe(
      'File too large: the limit is 5 GiB',
    );
    expect(refusal({ name: 'ok', size: 5 * 1024 ** 3, type: '' }, config)).toBeNull();
  });

  it('names the type and the allowed list for a refused type', () => {
    const strict = { ...config, allowedTypes: ['image/*'] };
    expect(refusal({ name: 'a.txt', size: 1, type: 'text/plain' }, strict)).toBe(
      'File type text/plain is not allowed (allowed: image/*)',
    );
    expect(refusal({ name: 'x', size: 1, type: '' }, strict)).toContain('application/octet-stream');
  });
});

describe('sortFiles', () => {
  it('accepts, rejects with a reason, and leaves out files beyond maxFiles', () => {
    const files = [
      { name: 'a', size: 1, type: 'text/plain' },
      { name: 'b', size: 6 * 1024 ** 3, type: 'text/plain' },
      { name: 'c', size: 1, type: 'text/plain' },
    ];
    const sorted = sortFiles(files, config);
    expect(sorted.accepted.map((f) => f.name)).toEqual(['a']);
    expect(sorted.rejected).toEqual([{ file: files[1], reason: 'File too large: the limit is 5 GiB' }]);
    expect(sorted.leftOut).toBe(1);
  });
});
