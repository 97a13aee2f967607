// RFC 6455 §5.3: payload byte i is XORed with mask byte (i mod 4). We XOR 32-bit words through a
// Uint32Array view of the aligned middle of the range, so a 1 MiB payload costs 256 Ki word
// operations instead of 1 Mi byte operations.

// Scratch for turning 4 mask bytes into one word in the platform's byte order.
const maskBytes = new Uint8Array(4);
const maskWord = new Uint32Array(maskBytes.buffer);

/** Below this many bytes a typed-array view costs more than it saves. */
const WORD_LOOP_MIN = 32;

/**
 * Unmasks `bytes[start, end)` in place. `mask` holds the 4 key bytes at `mask[maskStart..+4)`;
 * `phase` is how many payload bytes of this frame came before `start` (a frame may be unmasked
 * piecewise as TCP chunks arrive).
 */
export function unmask(
  bytes: Buffer,
  start: number,
  end: number,
  mask: Uint8Array,
  maskStart: number,
  phase: number,
): void {
  let i = start;
  let k = phase & 3;
  if (end - start >= WORD_LOOP_MIN) {
    // Byte-wise until the absolute address is 4-aligned (a Uint32Array view requires it).
    while (((bytes.byteOffset + i) & 3) !== 0) {
      bytes[i] = bytes[i]! ^ mask[maskStart + k]!;
      i++;
      k = (k + 1) & 3;
    }
    const words = (end - i) >>> 2;
    for (let j = 0; j < 4; j++) maskBytes[j] = mask[maskStart + ((k + j) & 3)]!;
    const key = maskWord[0]!;
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ key;
    i += words << 2;
  }
  while (i < end) {
    bytes[i] = bytes[i]! ^ mask[maskStart + k]!;
    i++;
    k = (k + 1) & 3;
  }
}
