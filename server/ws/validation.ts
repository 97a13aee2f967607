// UTF-8 validation (RFC 3629) as an incremental DFA, after Bjoern Hoehrmann's "Flexible and Economical
// UTF-8 Decoder": the state is one small integer that survives TCP chunks and message fragments, and
// the DFA rejects at the first byte that cannot continue a valid sequence (overlongs, surrogates,
// code points above U+10FFFF included). RFC 6455 §8.1 asks us to fail as soon as that byte arrives.

export const UTF8_ACCEPT = 0;
export const UTF8_REJECT = 12;

// Byte → character class. 0x00–0x7F: 0; continuation bytes split by range (1, 9, 7) so that
// E0/ED/F0/F4 can restrict their second byte; C0, C1, F5–FF: 8 (never valid).
// biome-ignore format: a 16-column table is the readable form
const BYTE_CLASS = new Uint8Array([
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,
  7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7, 7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,7,
  8,8,2,2,2,2,2,2,2,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
  10,3,3,3,3,3,3,3,3,3,3,3,3,4,3,3, 11,6,6,6,5,8,8,8,8,8,8,8,8,8,8,8,
]);

// (state + class) → next state. States are multiples of 12: 0 accept, 12 reject, the rest "inside a
// sequence" with the set of continuation classes still allowed.
// biome-ignore format: one row per state
const TRANSITION = new Uint8Array([
  0,12,24,36,60,96,84,12,12,12,48,72,
  12,12,12,12,12,12,12,12,12,12,12,12,
  12,0,12,12,12,12,12,0,12,0,12,12,
  12,24,12,12,12,12,12,24,12,24,12,12,
  12,12,12,12,12,12,12,24,12,12,12,12,
  12,24,12,12,12,12,12,12,12,24,12,12,
  12,12,12,12,12,12,12,36,12,36,12,12,
  12,36,12,12,12,12,12,36,12,36,12,12,
  12,36,12,12,12,12,12,12,12,12,12,12,
]);

/**
 * Runs bytes [start, end) of `bytes` through the DFA from `state`. Returns the new state:
 * UTF8_ACCEPT at a character boundary, UTF8_REJECT as soon as a byte is invalid (the rest is not
 * read), anything else inside a multi-byte sequence.
 */
export function validateUtf8(state: number, bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const byte = bytes[i]!;
    i++;
    // ASCII runs between characters skip the table lookups.
    if (byte < 0x80 && state === UTF8_ACCEPT) continue;
    state = TRANSITION[state + BYTE_CLASS[byte]!]!;
    if (state === UTF8_REJECT) return UTF8_REJECT;
  }
  return state;
}

/**
 * RFC 6455 §7.4: codes a peer may put in a close frame. 1004–1006 and 1015 are reserved, the rest
 * below 3000 unassigned; 1012–1014 were registered with IANA after the RFC.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
