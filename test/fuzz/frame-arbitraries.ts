// fast-check generators of client frame sequences (valid, damaged and outright hostile) and of ways
// to cut their bytes into TCP chunks, shared by the receiver and connection fuzz tests.
import fc from 'fast-check';
import type { Frame } from './frame-model.js';

/** The message limit the fuzzed receivers run with: small, so that 1009 is reached often. */
export const MAX_PAYLOAD = 300;

const maskKey = fc.integer({ min: 0, max: 0xffffffff });

/** Fragments `bytes` at the given fractions of its length (every fragment may be empty). */
function fragment(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  return pieces;
}

// fc.double piles up near 0 (it draws exponents evenly); a uniform fraction needs integers.
export const fraction = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000);

const controlFrame: fc.Arbitrary<Frame> = fc.record({
  fin: fc.constant(true),
  rsv: fc.constant(0),
  opcode: fc.constantFrom(0x9, 0xa),
  masked: fc.constant(true),
  maskKey,
  payload: fc.uint8Array({ maxLength: 125 }),
});

/**
 * A message cut into fragments (a text one may be cut inside a character), pings between fragments.
 * Text is sometimes damaged: its last bytes dropped (a truncated character) or one byte overwritten.
 */
const message: fc.Arbitrary<Frame[]> = fc
  .record({
    binary: fc.boolean(),
    text: fc.string({ unit: 'binary', maxLength: 80 }),
    bytes: fc.uint8Array({ maxLength: 2 * MAX_PAYLOAD }),
    cuts: fc.array(fraction, { maxLength: 4 }),
    controls: fc.array(fc.option(controlFrame, { freq: 2 }), { maxLength: 4 }),
    keys: fc.array(maskKey, { minLength: 5, maxLength: 5 }),
    damage: fc.option(
      fc.oneof(
        fc.record({ drop: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ at: fraction, byte: fc.integer({ min: 0x80, max: 0xff }) }),
      ),
      { freq: 2 },
    ),
  })
  .map(({ binary, text, bytes, cuts, controls, keys, damage }) => {
    let payload = binary ? bytes : Buffer.from(text);
    if (!binary && damage && 'drop' in damage)
      payload = payload.subarray(0, Math.max(0, payload.length - damage.drop));
    if (!binary && damage && 'at' in damage && payload.length > 0) {
      payload[Math.floor(damage.at * payload.length) % payload.length] = damage.byte;
    }
    const pieces = fragment(payload, cuts);
    return pieces.flatMap((payload, i) => {
      const frame: Frame = {
        fin: i === pieces.length - 1,
        rsv: 0,
        opcode: i > 0 ? 0x0 : binary ? 0x2 : 0x1,
        masked: true,
        maskKey: keys[i % keys.length]!,
        payload,
      };
      const control = controls[i];
      return control && i < pieces.length - 1 ? [frame, control] : [frame];
    });
  });

const closePayload = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ minLength: 1, maxLength: 1 }),
  fc
    .tuple(
      fc.oneof(fc.constantFrom(1000, 1001, 1005, 1006, 1012, 1015, 2999, 3000, 4999, 5000), fc.nat(0xffff)),
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 30 }).map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 20 }),
      ),
    )
    .map(([code, reason]) => {
      const payload = Buffer.alloc(2 + Math.min(reason.length, 123));
      payload.writeUInt16BE(code);
      payload.set(reason.subarray(0, 123), 2);
      return payload;
    }),
);

const closeFrame: fc.Arbitrary<Frame> = fc.record({
  fin: fc.constant(true),
  rsv: fc.constant(0),
  opcode: fc.constant(0x8),
  masked: fc.constant(true),
  maskKey,
  payload: closePayload,
});

/** Any header bits at all: reserved opcodes, RSV bits, unmasked, fragmented or long control frames. */
const wildFrame: fc.Arbitrary<Frame> = fc.record({
  fin: fc.boolean(),
  rsv: fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 7 }), weight: 1 },
  ),
  opcode: fc.integer({ min: 0, max: 15 }),
  masked: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
  maskKey,
  payload: fc.uint8Array({ maxLength: 200 }),
});

/** A header announcing more than any limit (up to 2^64 − 1): judged from the header alone. */
const hugeFrame: fc.Arbitrary<Frame> = fc.record({
  fin: fc.boolean(),
  rsv: fc.constant(0),
  opcode: fc.constantFrom(0x0, 0x1, 0x2),
  masked: fc.constant(true),
  maskKey,
  payload: fc.constant(new Uint8Array(0)),
  announcedLength: fc.bigInt({ min: BigInt(MAX_PAYLOAD + 1), max: 2n ** 64n - 1n }),
});

export const frames: fc.Arbitrary<Frame[]> = fc
  .array(
    fc.oneof(
      { arbitrary: message, weight: 6 },
      { arbitrary: controlFrame.map((f) => [f]), weight: 2 },
      { arbitrary: closeFrame.map((f) => [f]), weight: 1 },
      { arbitrary: wildFrame.map((f) => [f]), weight: 2 },
      { arbitrary: hugeFrame.map((f) => [f]), weight: 1 },
    ),
    { maxLength: 6 },
  )
  .map((groups) => groups.flat());

/** Where to cut the wire bytes: a few random points, or after every single byte. */
export const chunking = fc.oneof(
  { arbitrary: fc.array(fraction, { maxLength: 12 }), weight: 4 },
  { arbitrary: fc.constant('every-byte' as const), weight: 1 },
);

export function chunksOf(wire: Buffer, cuts: number[] | 'every-byte'): Buffer[] {
  if (cuts === 'every-byte') return [...wire].map((byte) => Buffer.from([byte]));
  // Copies: the receiver unmasks in place and may hand out views of a chunk.
  return fragment(wire, cuts).map((piece) => Buffer.from(piece));
}
