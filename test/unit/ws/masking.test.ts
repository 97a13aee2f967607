import { describe, expect, it } from 'vitest';
import { unmask } from '../../../server/ws/masking.js';

function byteWise(data: Buffer, mask: Uint8Array, phase: number): Buffer {
  return Buffer.from(data.map((byte, i) => byte ^ mask[(phase + i) & 3]!));
}

describe('unmask', () => {
  const mask = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

  it('matches a byte-wise XOR for every length, alignment and mask phase', () => {
    const source = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + 3) & 0xff));
    for (const length of [0, 1, 3, 4, 5, 31, 32, 33, 64, 127, 200]) {
      for (let offset = 0; offset < 4; offset++) {
        for (let phase = 0; phase < 4; phase++) {
          const backing = Buffer.alloc(length + 8);
          source.copy(backing, offset, 0, length);
          unmask(backing, offset, offset + length, mask, 0, phase);
          expect(backing.subarray(offset, offset + length)).toEqual(
            byteWise(source.subarray(0, length), mask, phase),
          );
          expect(backing.subarray(0, offset).every((b) => b === 0)).toBe(true);
          expect(backing.subarray(offset + length).every((b) => b === 0)).toBe(true);
        }
      }
    }
  });

  it('unmasks a payload piecewise as if in one go (a frame split across TCP chunks)', () => {
    const payload = Buffer.from('The quick brown fox jumps over the lazy dog, twice over and again.');
    const whole = Buffer.from(payload);
    unmask(whole, 0, whole.length, mask, 0, 0);
    const pieces = Buffer.from(payload);
    for (const [from, to] of [
      [0, 5],
      [5, 40],
      [40, 41],
      [41, pieces.length],
    ] as const) {
      unmask(pieces, from, to, mask, 0, from);
    }
    expect(pieces).toEqual(whole);
  });

  it('reads the key at an offset of the mask buffer', () => {
    const data = Buffer.from('Hello, masked world! 0123456789abcdef');
    const withKeyInside = Buffer.concat([Buffer.from([9, 9]), mask]);
    const copy = Buffer.from(data);
    unmask(copy, 0, copy.length, withKeyInside, 2, 0);
    expect(copy).toEqual(byteWise(data, mask, 0));
  });
});
