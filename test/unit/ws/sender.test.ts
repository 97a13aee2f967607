import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../server/ws/constants.js';
import { encodeCloseFrame, encodeFrame, encodeFrameHeader } from '../../../server/ws/sender.js';

describe('encodeFrame', () => {
  it('encodes "Hello" as the unmasked text frame of RFC 6455 §5.7', () => {
    expect(encodeFrame(Opcode.Text, 'Hello').toString('hex')).toBe('810548656c6c6f');
  });

  it('encodes binary, ping and pong frames and a non-final fragment', () => {
    expect(encodeFrame(Opcode.Binary, Buffer.from([1, 2, 3])).toString('hex')).toBe('8203010203');
    expect(encodeFrame(Opcode.Ping, 'Hello').toString('hex')).toBe('890548656c6c6f');
    expect(encodeFrame(Opcode.Pong, Buffer.alloc(0)).toString('hex')).toBe('8a00');
    expect(encodeFrame(Opcode.Text, 'Hel', false).toString('hex')).toBe('010348656c');
  });

  it.each([
    [0, '8200'],
    [125, '827d'],
    [126, '827e007e'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
  ])('uses the minimal length form for %i bytes', (length, header) => {
    const frame = encodeFrame(Opcode.Binary, Buffer.alloc(length, 0xab));
    expect(frame.subarray(0, header.length / 2).toString('hex')).toBe(header);
    expect(frame.length).toBe(header.length / 2 + length);
    expect(encodeFrameHeader(Opcode.Binary, length).toString('hex')).toBe(header);
  });

  it('counts UTF-8 bytes, not UTF-16 units, in the length', () => {
    const frame = encodeFrame(Opcode.Text, 'a€\u{1F600}');
    expect(frame.toString('hex')).toBe('810861e282acf09f9880');
  });

  it('writes 64-bit lengths above 4 GiB boundaries correctly in the header', () => {
    expect(encodeFrameHeader(Opcode.Binary, 2 ** 32 + 5).toString('hex')).toBe('827f0000000100000005');
  });
});

describe('encodeCloseFrame', () => {
  it('encodes a code and a UTF-8 reason', () => {
    expect(encodeCloseFrame(1000, 'bye').toString('hex')).toBe('880503e8627965');
  });

  it('sends an empty payload when no code is given', () => {
    expect(encodeCloseFrame().toString('hex')).toBe('8800');
  });

  it('refuses codes a peer would reject and reasons that do not fit in 125 bytes', () => {
    expect(() => encodeCloseFrame(1005)).toThrow(RangeError);
    expect(() => encodeCloseFrame(999)).toThrow(RangeError);
    expect(() => encodeCloseFrame(1000, 'x'.repeat(124))).toThrow(/at most 123/);
    expect(encodeCloseFrame(1000, 'x'.repeat(123)).length).toBe(127);
  });
});
