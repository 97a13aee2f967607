import { describe, expect, it } from 'vitest';
import { isSafeThumbnail, typeBadge } from '../../../web/file-visual.js';
import { fitInBox } from '../../../web/thumbnail-encoder.js';

describe('typeBadge', () => {
  it('prefers the extension, then the MIME subtype', () => {
    expect(typeBadge('report.final.pdf', 'application/pdf')).toBe('PDF');
    expect(typeBadge('Makefile', 'text/plain')).toBe('PLAIN');
    expect(typeBadge('blob', 'application/octet-stream')).toBe('FILE');
    expect(typeBadge('data', '')).toBe('FILE');
  });
});

describe('isSafeThumbnail', () => {
  it('shows only base64 PNG/JPEG/WebP data URLs, as the API accepts them', () => {
    expect(isSafeThumbnail('data:image/webp;base64,UklGRg==')).toBe(true);
    expect(isSafeThumbnail('data:image/svg+xml;base64,PHN2Zz4=')).toBe(false);
    expect(isSafeThumbnail('javascript:alert(1)')).toBe(false);
    expect(isSafeThumbnail('data:image/png;base64,AAAA" onerror="x')).toBe(false);
    expect(isSafeThumbnail(undefined)).toBe(false);
  });
});

describe('fitInBox', () => {
  it('scales the longer side to the box and keeps proportions', () => {
    expect(fitInBox(4000, 3000, 320)).toEqual({ width: 320, height: 240 });
    expect(fitInBox(1000, 4000, 320)).toEqual({ width: 80, height: 320 });
  });

  it('never enlarges and never reaches zero', () => {
    expect(fitInBox(16, 16, 320)).toEqual({ width: 16, height: 16 });
    expect(fitInBox(10_000, 1, 320)).toEqual({ width: 320, height: 1 });
  });
});
