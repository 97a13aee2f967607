import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../../server/uploads/byte-size.js';
import { contentDisposition } from '../../../server/uploads/content-disposition.js';
import { isInlineSafe, isTypeAllowed, normalizeMediaType } from '../../../server/uploads/media-type.js';

describe('normalizeMediaType', () => {
  it.each([
    ['image/PNG', 'image/png'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['application/vnd.api+json', 'application/vnd.api+json'],
    ['', 'application/octet-stream'],
    [undefined, 'application/octet-stream'],
    ['text', 'application/octet-stream'],
    ['text/html<script>', 'application/octet-stream'],
    ['a b/c', 'application/octet-stream'],
  ])('%j → %s', (declared, type) => {
    expect(normalizeMediaType(declared)).toBe(type);
  });
});

describe('isTypeAllowed', () => {
  it('admits everything with an empty list, else exact types and type/* patterns', () => {
    expect(isTypeAllowed('application/x-anything', [])).toBe(true);
    expect(isTypeAllowed('image/webp', ['image/*'])).toBe(true);
    expect(isTypeAllowed('imagex/webp', ['image/*'])).toBe(false);
    expect(isTypeAllowed('application/pdf', ['image/*', 'application/pdf'])).toBe(true);
    expect(isTypeAllowed('application/pdfx', ['application/pdf'])).toBe(false);
  });
});

describe('isInlineSafe', () => {
  it('allows raster images only', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']) {
      expect(isInlineSafe(type)).toBe(true);
    }
    for (const type of [
      'image/svg+xml',
      'text/html',
      'application/xhtml+xml',
      'application/pdf',
      'text/plain',
    ]) {
      expect(isInlineSafe(type)).toBe(false);
    }
  });
});

describe('contentDisposition (RFC 6266, RFC 8187)', () => {
  it('encodes any name as UTF-8 ext-value with an ASCII fallback', () => {
    expect(contentDisposition('attachment', 'résumé "final" (2).pdf')).toBe(
      `attachment; filename="r_sum_ _final_ (2).pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%20%282%29.pdf`,
    );
    expect(contentDisposition('inline', "it's.png")).toBe(
      `inline; filename="it's.png"; filename*=UTF-8''it%27s.png`,
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [1, '1 byte'],
    [1000, '1000 bytes'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5 GiB'],
    [10 * 1024 ** 2 + 1, '10 MiB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
