import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../server/uploads/byte-range.js';

describe('parseRange (RFC 9110 §14.1.2)', () => {
  it.each([
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=900-', 1000, { start: 900, end: 999 }],
    ['bytes=900-5000', 1000, { start: 900, end: 999 }],
    ['bytes=-100', 1000, { start: 900, end: 999 }],
    ['bytes=-5000', 1000, { start: 0, end: 999 }],
    ['BYTES = 5 - 5', 1000, { start: 5, end: 5 }],
  ])('%s of %i bytes → %j', (header, size, range) => {
    expect(parseRange(header, size)).toEqual(range);
  });

  it.each([
    ['bytes=1000-', 1000],
    ['bytes=1000-1001', 1000],
    ['bytes=-0', 1000],
    ['bytes=0-', 0],
    ['bytes=-1', 0],
  ])('%s of %i bytes is unsatisfiable (416)', (header, size) => {
    expect(parseRange(header, size)).toBe('unsatisfiable');
  });

  it.each([[undefined], ['items=0-1'], ['bytes=0-1,5-6'], ['bytes=5-1'], ['bytes=-'], ['bytes=a-b']])(
    'ignores %j (whole file)',
    (header) => {
      expect(parseRange(header, 1000)).toBeNull();
    },
  );
});
