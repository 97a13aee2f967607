import { describe, expect, it } from 'vitest';
import { typeBadge } from '../../../web/file-visual.js';
import { fitInBox } from '../../../web/thumbnail-encoder.js';

describe('typeBadge', () => {
  it('prefers the extension, then the MIME subtype', () => {
    expect(typeBadge('report.final.pdf', 'application/pdf')).toBe('PDF');
    expect(typeBadge('Makefile', 'text/plain')).toBe('PLAIN');
    expect(typeBadge('blob', 'application/octet-stream')).toBe('FILE');
    expect(typeBadge('data', '')).toBe('FILE');
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
