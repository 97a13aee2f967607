import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidCloseCode, UTF8_ACCEPT, UTF8_REJECT, validateUtf8 } from '../../../server/ws/validation.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const isValidUtf8 = (bytes: Uint8Array) => validateUtf8(UTF8_ACCEPT, bytes, 0, bytes.length) === UTF8_ACCEPT;

describe('UTF-8 DFA', () => {
  it('agrees with Node on every 1- and 2-byte sequence', () => {
    const bytes = Buffer.alloc(2);
    for (let value = 0; value < 0x10000; value++) {
      bytes.writeUInt16BE(value);
      expect(isValidUtf8(bytes)).toBe(isUtf8(bytes));
      expect(isValidUtf8(bytes.subarray(1))).toBe(isUtf8(bytes.subarray(1)));
    }
  });

  it('agrees with Node on random byte strings, in one piece and split at any point', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(), (array, at) => {
        const bytes = Buffer.from(array);
        const split = bytes.length === 0 ? 0 : at % bytes.length;
        const first = validateUtf8(UTF8_ACCEPT, bytes, 0, split);
        const whole = first === UTF8_REJECT ? UTF8_REJECT : validateUtf8(first, bytes, split, bytes.length);
        expect(whole === UTF8_ACCEPT).toBe(isUtf8(bytes));
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts all of Unicode, including noncharacters and U+10FFFF', () => {
    for (const text of [
      '',
      'ascii',
      'κόσμε',
      'Hello-µ@ßöäüàá-UTF-8!!',
      '\u{10FFFF}\uFFFE\uFFFF',
      '\u{1F600}',
    ]) {
      expect(isValidUtf8(Buffer.from(text))).toBe(true);
    }
  });

  it.each([
    ['a surrogate (U+D800)', 'ed a0 80', 1],
    ['a code point above U+10FFFF', 'f4 90 80 80', 1],
    ['an overlong "/"', 'c0 af', 0],
    ['an overlong NUL in 3 bytes', 'e0 80 80', 1],
    ['a lone continuation byte', '80', 0],
    ['0xFE', 'fe', 0],
  ])('rejects %s at the first invalid byte', (_name, sequence, badIndex) => {
    const bytes = hex(`61 ${sequence}`);
    expect(validateUtf8(UTF8_ACCEPT, bytes, 0, 1 + badIndex)).not.toBe(UTF8_REJECT);
    expect(validateUtf8(UTF8_ACCEPT, bytes, 0, 2 + badIndex)).toBe(UTF8_REJECT);
  });

  it('keeps a multi-byte sequence open across calls and reports it as incomplete', () => {
    const euro = hex('e2 82 ac');
    const afterTwo = validateUtf8(UTF8_ACCEPT, euro, 0, 2);
    expect(afterTwo).not.toBe(UTF8_ACCEPT);
    expect(afterTwo).not.toBe(UTF8_REJECT);
    expect(validateUtf8(afterTwo, euro, 2, 3)).toBe(UTF8_ACCEPT);
  });
});

describe('close codes', () => {
  it.each([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])(
    'accepts %i',
    (code) => expect(isValidCloseCode(code)).toBe(true),
  );
  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])('rejects %i', (code) =>
    expect(isValidCloseCode(code)).toBe(false),
  );
});
