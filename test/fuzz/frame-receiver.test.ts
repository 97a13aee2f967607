// Property tests for the frame receiver (server/ws/receiver.ts): random sequences of valid and invalid
// client frames, cut into random TCP chunks, must be delivered exactly as the reference model in
// frame-model.ts says — same messages in the same order, then the same close or error code — and no
// input, however broken, may make the receiver throw. Seeded: a failure prints the seed and the
// shrunk counterexample; FUZZ_SEED=<n> replays another seed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReceiver } from '../../server/ws/receiver.js';
import { chunking, chunksOf, fraction, frames, MAX_PAYLOAD } from './frame-arbitraries.js';
import { type Delivery, encodeFrame, type Frame, referenceDeliveries } from './frame-model.js';

const seed = Number(process.env.FUZZ_SEED ?? 6455);
const numRuns = 400;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** Runs the real receiver; `pauses[i]` pauses it before chunk i (resumed before the next one, and at the end). */
function receive(chunks: Buffer[], pauses: boolean[] = []): Delivery[] {
  const out: Delivery[] = [];
  const receiver = new FrameReceiver(
    {
      onMessage: (data, isBinary) =>
        out.push({
          kind: 'message',
          binary: isBinary,
          data: isBinary ? hex(data as Buffer) : (data as string),
        }),
      onPing: (payload) => out.push({ kind: 'ping', data: hex(payload) }),
      onPong: (payload) => out.push({ kind: 'pong', data: hex(payload) }),
      onClose: (code, reason) => out.push({ kind: 'close', code, reason }),
      onProtocolError: (error) => out.push({ kind: 'error', closeCode: error.closeCode }),
    },
    MAX_PAYLOAD,
  );
  for (const [i, chunk] of chunks.entries()) {
    if (pauses[i]) receiver.pause();
    receiver.write(chunk);
    if (pauses[i] && !pauses[i + 1]) receiver.resume();
  }
  receiver.resume();
  return out;
}

const options = { seed, numRuns };

describe(`FrameReceiver against the reference model (seed ${seed})`, () => {
  it('delivers what the model delivers, for any frames cut at any points', () => {
    fc.assert(
      fc.property(frames, chunking, (sequence, cuts) => {
        const wire = Buffer.concat(sequence.map(encodeFrame));
        expect(receive(chunksOf(wire, cuts))).toEqual(referenceDeliveries(sequence, MAX_PAYLOAD));
      }),
      options,
    );
  });

  it('delivers the same when reading is paused and resumed between chunks', () => {
    fc.assert(
      fc.property(
        frames,
        fc.array(fraction, { maxLength: 12 }),
        fc.array(fc.boolean()),
        (sequence, cuts, pauses) => {
          const wire = Buffer.concat(sequence.map(encodeFrame));
          expect(receive(chunksOf(wire, cuts), pauses)).toEqual(referenceDeliveries(sequence, MAX_PAYLOAD));
        },
      ),
      options,
    );
  });

  it('never throws on arbitrary bytes, and ends with at most one close or error, after which nothing comes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), chunking, (bytes, cuts) => {
        const out = receive(chunksOf(Buffer.from(bytes), cuts));
        const terminal = out.findIndex((d) => d.kind === 'close' || d.kind === 'error');
        expect(terminal === -1 || terminal === out.length - 1).toBe(true);
        for (const d of out) if (d.kind === 'error') expect([1002, 1007, 1009]).toContain(d.closeCode);
      }),
      options,
    );
  });

  it('the model itself rejects what the RFC forbids (so agreement means something)', () => {
    const frame = (f: Partial<Frame>): Frame => ({
      fin: true,
      rsv: 0,
      opcode: 0x1,
      masked: true,
      maskKey: 0x01020304,
      payload: new Uint8Array(0),
      ...f,
    });
    const model = (...fs: Frame[]) => referenceDeliveries(fs, MAX_PAYLOAD);
    expect(model(frame({ payload: Buffer.from('hé') }))).toEqual([
      { kind: 'message', binary: false, data: 'hé' },
    ]);
    expect(model(frame({ masked: false }))).toEqual([{ kind: 'error', closeCode: 1002 }]);
    expect(model(frame({ rsv: 4 }))).toEqual([{ kind: 'error', closeCode: 1002 }]);
    expect(model(frame({ opcode: 0x3 }))).toEqual([{ kind: 'error', closeCode: 1002 }]);
    expect(model(frame({ opcode: 0x9, fin: false }))).toEqual([{ kind: 'error', closeCode: 1002 }]);
    expect(model(frame({ opcode: 0x0 }))).toEqual([{ kind: 'error', closeCode: 1002 }]);
    expect(model(frame({ fin: false, payload: Uint8Array.of(0xed, 0xa0) }))).toEqual([
      { kind: 'error', closeCode: 1007 },
    ]);
    expect(model(frame({ payload: Uint8Array.of(0xe2, 0x82) }))).toEqual([
      { kind: 'error', closeCode: 1007 },
    ]);
    expect(model(frame({ payload: new Uint8Array(MAX_PAYLOAD + 1) }))).toEqual([
      { kind: 'error', closeCode: 1009 },
    ]);
    expect(model(frame({ opcode: 0x8, payload: Uint8Array.of(0x03, 0xed) }))).toEqual([
      { kind: 'error', closeCode: 1002 },
    ]);
    expect(model(frame({ opcode: 0x8, payload: Uint8Array.of(0x03, 0xe8, 0x6f, 0x6b) }))).toEqual([
      { kind: 'close', code: 1000, reason: 'ok' },
    ]);
  });
});
