import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Opcode } from '../../../server/ws/constants.js';
import { FrameReceiver, type FrameSink } from '../../../server/ws/receiver.js';
import type { WebSocketError } from '../../../server/ws/websocket-error.js';
import { clientFrame, closePayload } from '../../conformance/client-frames.js';

/** Records what the receiver reports as short strings, in order. */
class Recorder implements FrameSink {
  readonly events: string[] = [];
  readonly messages: (string | Buffer)[] = [];
  onMessage(data: string | Buffer, isBinary: boolean): void {
    this.messages.push(data);
    this.events.push(isBinary ? `binary:${(data as Buffer).toString('hex')}` : `text:${data as string}`);
  }
  onPing(payload: Buffer): void {
    this.events.push(`ping:${payload.toString()}`);
  }
  onPong(payload: Buffer): void {
    this.events.push(`pong:${payload.toString()}`);
  }
  onClose(code: number, reason: string): void {
    this.events.push(`close:${code}:${reason}`);
  }
  onProtocolError(error: WebSocketError): void {
    this.events.push(`error:${error.closeCode}:${error.code}`);
  }
}

function receive(bytes: Buffer, chunkSize = bytes.length, maxPayload = 1024 * 1024): Recorder {
  const recorder = new Recorder();
  const receiver = new FrameReceiver(recorder, maxPayload);
  for (let i = 0; i < bytes.length; i += Math.max(chunkSize, 1)) {
    // Fresh copies: the receiver unmasks in place, as it does with socket chunks it owns.
    receiver.write(Buffer.from(bytes.subarray(i, i + Math.max(chunkSize, 1))));
  }
  return recorder;
}

/** The events must be the same whole, in 1-byte chunks and split in two at every position. */
function expectEvents(bytes: Buffer, expected: string[], maxPayload?: number): void {
  expect(receive(bytes, bytes.length, maxPayload).events).toEqual(expected);
  expect(receive(bytes, 1, maxPayload).events).toEqual(expected);
  if (bytes.length > 4096) return;
  for (let split = 1; split < bytes.length; split++) {
    const recorder = new Recorder();
    const receiver = new FrameReceiver(recorder, maxPayload ?? 1024 * 1024);
    receiver.write(Buffer.from(bytes.subarray(0, split)));
    receiver.write(Buffer.from(bytes.subarray(split)));
    expect(recorder.events, `split at ${split}`).toEqual(expected);
  }
}

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const text = (payload: string | Buffer, fin = true) => clientFrame({ opcode: Opcode.Text, payload, fin });
const cont = (payload: string | Buffer, fin = true) =>
  clientFrame({ opcode: Opcode.Continuation, payload, fin });

describe('FrameReceiver: framing', () => {
  it('reads the masked "Hello" frame of RFC 6455 §5.7', () => {
    expectEvents(hex('818537fa213d7f9f4d5158'), ['text:Hello']);
  });

  it('reads the fragmented "Hel" + "lo" example of §5.7', () => {
    expectEvents(Buffer.concat([text('Hel', false), cont('lo')]), ['text:Hello']);
  });

  it.each([0, 1, 125, 126, 127, 65535, 65536, 70000])(
    'reads a %i-byte binary frame at the length-form boundary',
    (n) => {
      const payload = Buffer.alloc(n);
      for (let i = 0; i < n; i++) payload[i] = i & 0xff;
      const bytes = clientFrame({ opcode: Opcode.Binary, payload });
      for (const chunkSize of n > 1000 ? [bytes.length, 7, 1000] : [bytes.length, 1, 7]) {
        const { messages } = receive(bytes, chunkSize);
        expect(messages).toHaveLength(1);
        expect(messages[0]).toEqual(payload);
      }
    },
  );

  it('reads several frames from one chunk, in order', () => {
    const bytes = Buffer.concat([
      text('one'),
      clientFrame({ opcode: Opcode.Ping, payload: 'p' }),
      clientFrame({ opcode: Opcode.Binary, payload: Buffer.from([1, 2]) }),
      text(''),
    ]);
    expectEvents(bytes, ['text:one', 'ping:p', 'binary:0102', 'text:']);
  });

  it('answers control frames between fragments, before the message completes', () => {
    const bytes = Buffer.concat([
      text('fra', false),
      clientFrame({ opcode: Opcode.Ping, payload: 'mid' }),
      cont('gm', false),
      clientFrame({ opcode: Opcode.Pong, payload: 'unsolicited' }),
      cont('ent'),
    ]);
    expectEvents(bytes, ['ping:mid', 'pong:unsolicited', 'text:fragment']);
  });

  it('joins 65,536 one-byte fragments into one contiguous message', () => {
    const frames = [clientFrame({ opcode: Opcode.Binary, payload: Buffer.of(0), fin: false })];
    for (let i = 1; i < 65_536; i++) frames.push(cont(Buffer.of(i & 0xff), i === 65_535));
    const { messages } = receive(Buffer.concat(frames), 4096);
    expect(messages).toHaveLength(1);
    const message = messages[0] as Buffer;
    expect(message.length).toBe(65_536);
    expect(message[300]).toBe(300 & 0xff);
    // One backing store no bigger than the message rounded up, not an array of fragments.
    expect(message.buffer.byteLength).toBeLessThanOrEqual(65_536);
  });

  it('hands out a view of the chunk, not a copy, when a whole message sits in one chunk', () => {
    const chunk = clientFrame({ opcode: Opcode.Binary, payload: Buffer.alloc(1000, 1) });
    const recorder = new Recorder();
    new FrameReceiver(recorder, 1 << 20).write(chunk);
    expect((recorder.messages[0] as Buffer).buffer).toBe(chunk.buffer);
  });
});

describe('FrameReceiver: protocol errors close with 1002', () => {
  it.each([
    ['RSV1 is set', clientFrame({ opcode: Opcode.Text, payload: 'x', rsv: 4 }), 'WS_ERR_UNEXPECTED_RSV'],
    ['RSV2 is set', clientFrame({ opcode: Opcode.Text, payload: 'x', rsv: 2 }), 'WS_ERR_UNEXPECTED_RSV'],
    ['RSV3 is set on a ping', clientFrame({ opcode: Opcode.Ping, rsv: 1 }), 'WS_ERR_UNEXPECTED_RSV'],
    ['the opcode is reserved (0x3)', clientFrame({ opcode: 3 }), 'WS_ERR_INVALID_OPCODE'],
    ['the opcode is reserved (0x7)', clientFrame({ opcode: 7, payload: 'x' }), 'WS_ERR_INVALID_OPCODE'],
    ['the control opcode is reserved (0xB)', clientFrame({ opcode: 0xb }), 'WS_ERR_INVALID_OPCODE'],
    [
      'the control opcode is reserved (0xF)',
      clientFrame({ opcode: 0xf, payload: 'x' }),
      'WS_ERR_INVALID_OPCODE',
    ],
    ['a ping is fragmented', clientFrame({ opcode: Opcode.Ping, fin: false }), 'WS_ERR_FRAGMENTED_CONTROL'],
    ['a close is fragmented', clientFrame({ opcode: Opcode.Close, fin: false }), 'WS_ERR_FRAGMENTED_CONTROL'],
    [
      'a ping carries 126 bytes',
      clientFrame({ opcode: Opcode.Ping, payload: Buffer.alloc(126) }),
      'WS_ERR_CONTROL_TOO_LONG',
    ],
    ['a continuation has nothing to continue', cont('x'), 'WS_ERR_UNEXPECTED_CONTINUATION'],
    [
      'the frame is unmasked',
      clientFrame({ opcode: Opcode.Text, payload: 'x', masked: false }),
      'WS_ERR_UNMASKED_FRAME',
    ],
    ['a 64-bit length has its top bit set', hex('82ff8000000000000001 37fa213d'), 'WS_ERR_INVALID_LENGTH'],
    [
      'a close payload is 1 byte',
      clientFrame({ opcode: Opcode.Close, payload: Buffer.of(3) }),
      'WS_ERR_INVALID_CLOSE_PAYLOAD',
    ],
  ])('fails when %s', (_name, bytes, code) => {
    expectEvents(bytes, [`error:1002:${code}`]);
  });

  it('fails when a new data frame starts inside a fragmented message', () => {
    expectEvents(Buffer.concat([text('a', false), text('b')]), ['error:1002:WS_ERR_EXPECTED_CONTINUATION']);
  });

  it.each([0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000])('fails on close code %i', (code) => {
    expectEvents(clientFrame({ opcode: Opcode.Close, payload: closePayload(code) }), [
      'error:1002:WS_ERR_INVALID_CLOSE_CODE',
    ]);
  });

  it('delivers the frames before a bad one, then nothing after it', () => {
    const bytes = Buffer.concat([
      text('before'),
      clientFrame({ opcode: Opcode.Ping, payload: 'p' }),
      clientFrame({ opcode: 5 }),
      text('after'),
    ]);
    expectEvents(bytes, ['text:before', 'ping:p', 'error:1002:WS_ERR_INVALID_OPCODE']);
  });
});

describe('FrameReceiver: UTF-8 (1007)', () => {
  it('accepts valid UTF-8 split across fragments in the middle of a character', () => {
    const euro = Buffer.from('€');
    expectEvents(
      Buffer.concat([
        text(euro.subarray(0, 1), false),
        cont(euro.subarray(1, 2), false),
        cont(euro.subarray(2)),
      ]),
      ['text:€'],
    );
  });

  it('fails at the first invalid byte, before the rest of the frame arrives (Autobahn 6.4.3)', () => {
    // κόσμε, then U+110000 (f4 90 80 80), then "edited": the header announces the full length.
    const payload = Buffer.concat([Buffer.from('κόσμε'), hex('f4908080'), Buffer.from('edited')]);
    const frame = text(payload);
    const recorder = new Recorder();
    const receiver = new FrameReceiver(recorder, 1 << 20);
    const invalidAt = 2 + 4 + Buffer.byteLength('κόσμε') + 1; // header + mask + prefix + f4
    receiver.write(Buffer.from(frame.subarray(0, invalidAt)));
    expect(recorder.events).toEqual([]);
    receiver.write(Buffer.from(frame.subarray(invalidAt, invalidAt + 1)));
    expect(recorder.events).toEqual(['error:1007:WS_ERR_INVALID_UTF8']);
  });

  it('fails in the fragment that brings the invalid byte (Autobahn 6.4.1)', () => {
    const recorder = new Recorder();
    const receiver = new FrameReceiver(recorder, 1 << 20);
    receiver.write(text('κόσμε', false));
    expect(recorder.events).toEqual([]);
    receiver.write(cont(hex('f4908080'), false));
    expect(recorder.events).toEqual(['error:1007:WS_ERR_INVALID_UTF8']);
  });

  it('fails when a text message ends inside a multi-byte character', () => {
    expectEvents(text(hex('48e282')), ['error:1007:WS_ERR_INVALID_UTF8']);
  });

  it('does not validate binary messages', () => {
    expectEvents(clientFrame({ opcode: Opcode.Binary, payload: hex('c0ff') }), ['binary:c0ff']);
  });

  it('fails on a close reason that is not UTF-8', () => {
    expectEvents(
      clientFrame({ opcode: Opcode.Close, payload: closePayload(1000, hex('cebae1bdb9cf83ceb5eda080')) }),
      ['error:1007:WS_ERR_INVALID_UTF8'],
    );
  });
});

describe('FrameReceiver: size limit (1009)', () => {
  it('fails from the header alone, before any payload is buffered', () => {
    // A 16-bit length of 2000 with maxPayload 1000: no payload byte follows, yet it fails.
    expect(receive(hex('81fe07d0 37fa213d'), 1, 1000).events).toEqual(['error:1009:WS_ERR_MESSAGE_TOO_BIG']);
    expect(receive(hex('82ff0000000100000000 37fa213d'), 100, 1000).events).toEqual([
      'error:1009:WS_ERR_MESSAGE_TOO_BIG',
    ]);
  });

  it('counts the fragments already received against the limit', () => {
    const bytes = Buffer.concat([text('x'.repeat(600), false), cont('y'.repeat(600))]);
    expect(receive(bytes, bytes.length, 1000).events).toEqual(['error:1009:WS_ERR_MESSAGE_TOO_BIG']);
    expect(receive(bytes, bytes.length, 1200).messages[0]).toHaveLength(1200);
  });
});

describe('FrameReceiver: close and flow', () => {
  it('reports the close code and reason, and reads nothing after the close frame', () => {
    expectEvents(
      Buffer.concat([
        clientFrame({ opcode: Opcode.Close, payload: closePayload(4001, 'done here') }),
        text('ignored'),
        clientFrame({ opcode: 3 }),
      ]),
      ['close:4001:done here'],
    );
  });

  it('reports an empty close frame as 1005', () => {
    expectEvents(clientFrame({ opcode: Opcode.Close }), ['close:1005:']);
  });

  it('holds frames while paused and delivers them in order on resume', () => {
    const recorder = new Recorder();
    const pausingSink: FrameSink = {
      onMessage: (data, isBinary) => {
        recorder.onMessage(data, isBinary);
        pausing.pause();
      },
      onPing: (payload) => recorder.onPing(payload),
      onPong: (payload) => recorder.onPong(payload),
      onClose: (code, reason) => recorder.onClose(code, reason),
      onProtocolError: (error) => recorder.onProtocolError(error),
    };
    const pausing = new FrameReceiver(pausingSink, 1 << 20);
    pausing.write(Buffer.concat([text('a'), text('b')]));
    pausing.write(text('c'));
    expect(recorder.events).toEqual(['text:a']);
    pausing.resume();
    expect(recorder.events).toEqual(['text:a', 'text:b']);
    pausing.resume();
    expect(recorder.events).toEqual(['text:a', 'text:b', 'text:c']);
  });
});

describe('FrameReceiver: arbitrary input', () => {
  it('never throws, and after an error or close reports nothing more', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const recorder = new Recorder();
        const receiver = new FrameReceiver(recorder, 4096);
        for (const chunk of chunks) receiver.write(Buffer.from(chunk));
        const end = recorder.events.findIndex((e) => e.startsWith('error:') || e.startsWith('close:'));
        if (end !== -1) expect(recorder.events).toHaveLength(end + 1);
      }),
      { numRuns: 5000 },
    );
  });

  it('parses any sequence of valid frames identically however it is chunked', () => {
    const frameArb = fc.oneof(
      fc.string({ maxLength: 300 }).map((t) => ({ bytes: text(t), event: `text:${t}` })),
      fc.uint8Array({ maxLength: 70_000 }).map((b) => ({
        bytes: clientFrame({
          opcode: Opcode.Binary,
          payload: Buffer.from(b),
          mask: Uint8Array.of(1, 2, 3, 4),
        }),
        event: `binary:${Buffer.from(b).toString('hex')}`,
      })),
      fc
        .string({ maxLength: 100 })
        .map((t) => ({ bytes: clientFrame({ opcode: Opcode.Ping, payload: t }), event: `ping:${t}` })),
    );
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 6 }),
        fc.integer({ min: 1, max: 5000 }),
        (frames, chunkSize) => {
          const bytes = Buffer.concat(frames.map((f) => f.bytes));
          expect(receive(bytes, chunkSize, 1 << 20).events).toEqual(frames.map((f) => f.event));
        },
      ),
      { numRuns: 300 },
    );
  });
});
