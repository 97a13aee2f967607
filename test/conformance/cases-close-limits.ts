// Autobahn categories 7 (close handling), 9 (large messages, many fragments, tiny TCP writes,
// round trips) and 10 (auto-fragmentation). Numbers follow Autobahn; 7.7.14–16 add the codes
// 1012–1014 that IANA registered after the RFC.
import { binaryMessage, type ConformanceCase, closeCase, echoCase, failCase, textMessage } from './case.js';
import { clientFrame, closePayload } from './client-frames.js';
import type { ServerMessage } from './raw-client.js';

const text = (payload: Buffer | string, fin = true) => clientFrame({ opcode: 0x1, payload, fin });

const cont = (payload: Buffer | string, fin = true) => clientFrame({ opcode: 0x0, payload, fin });
const close = (payload: Buffer = Buffer.alloc(0)) => clientFrame({ opcode: 0x8, payload });
const ping = (payload = '') => clientFrame({ opcode: 0x9, payload });
const send = (...frames: Buffer[]) => ({ send: Buffer.concat(frames) });

const validCodes = [
  1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999, 1012, 1013, 1014,
];
const invalidCodes = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999];

const category7: ConformanceCase[] = [
  echoCase('7.1.1', 'Text, then a normal close', [send(text('Hello World!'))], [textMessage('Hello World!')]),
  closeCase(
    '7.1.2',
    'Close, then close again',
    [send(close(closePayload(1000)), close(closePayload(1000)))],
    1000,
  ),
  closeCase(
    '7.1.3',
    'Close, then ping: no pong',
    [send(close(closePayload(1000)), ping('after close'))],
    1000,
  ),
  closeCase(
    '7.1.4',
    'Close, then text: no echo',
    [send(close(closePayload(1000)), text('after close'))],
    1000,
  ),
  closeCase(
    '7.1.5',
    'First fragment, close, last fragment: no message',
    [send(text('fragment1', false), close(closePayload(1000)), cont('fragment2'))],
    1000,
  ),
  closeCase('7.3.1', 'Close with an empty payload', [send(close())], 'empty'),
  failCase('7.3.2', 'Close with a 1-byte payload', [send(close(Buffer.of(0x03)))]),
  closeCase('7.3.3', 'Close 1000 without reason', [send(close(closePayload(1000)))], 1000),
  closeCase('7.3.4', 'Close 1000 with a reason', [send(close(closePayload(1000, 'Hello World!')))], 1000),
  closeCase(
    '7.3.5',
    'Close 1000 with a 123-byte reason',
    [send(close(closePayload(1000, '*'.repeat(123))))],
    1000,
  ),
  failCase('7.3.6', 'Close 1000 with a 124-byte reason (payload 126 bytes)', [
    send(close(closePayload(1000, '*'.repeat(124)))),
  ]),
  failCase(
    '7.5.1',
    'Close with an invalid UTF-8 reason',
    [send(close(closePayload(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex'))))],
    1007,
  ),
  ...validCodes.map((code, i) =>
    closeCase(`7.7.${i + 1}`, `Close with valid code ${code}`, [send(close(closePayload(code)))], code),
  ),
  ...invalidCodes.map((code, i) =>
    failCase(`7.9.${i + 1}`, `Close with invalid code ${code}`, [send(close(closePayload(code)))]),
  ),
  failCase('7.13.1', 'Close with code 5000', [send(close(closePayload(5000)))]),
  failCase('7.13.2', 'Close with code 65535', [send(close(closePayload(65535)))]),
];

const KiB = 1024;
const MiB = 1024 * KiB;

/** Deterministic, valid UTF-8 text payload of exactly `length` bytes (ASCII). */
function asciiPayload(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = 0x20 + ((i * 7) % 95);
  return bytes;
}
function binaryPayload(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function fragmented(opcode: 0x1 | 0x2, payload: Buffer, fragmentSize: number): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at < payload.length; at += fragmentSize) {
    const end = Math.min(at + fragmentSize, payload.length);
    frames.push(
      clientFrame({
        opcode: at === 0 ? opcode : 0,
        payload: payload.subarray(at, end),
        fin: end === payload.length,
      }),
    );
  }
  return Buffer.concat(frames);
}

function message(opcode: 0x1 | 0x2, payload: Buffer): ServerMessage {
  return opcode === 0x1 ? textMessage(payload) : binaryMessage(payload);
}

function largeCases(group: string, opcode: 0x1 | 0x2): ConformanceCase[] {
  const kind = opcode === 0x1 ? 'Text' : 'Binary';
  const make = opcode === 0x1 ? asciiPayload : binaryPayload;
  const sizes: [number, number][] = [
    [1, 64 * KiB],
    [3, MiB],
    [6, 16 * MiB],
  ];
  return sizes.map(([n, size]) => {
    const payload = make(size);
    return echoCase(
      `${group}.${n}`,
      `${kind} message of ${size / KiB} KiB`,
      [{ send: clientFrame({ opcode, payload }) }],
      [message(opcode, payload)],
    );
  });
}

function fragmentCases(group: string, opcode: 0x1 | 0x2): ConformanceCase[] {
  const kind = opcode === 0x1 ? 'Text' : 'Binary';
  const payload = (opcode === 0x1 ? asciiPayload : binaryPayload)(4 * MiB);
  const fragments: [number, number][] = [
    [1, 64],
    [4, 4 * KiB],
    [9, 4 * MiB],
  ];
  return fragments.map(([n, size]) =>
    echoCase(
      `${group}.${n}`,
      `${kind} message of 4 MiB in ${size}-byte fragments`,
      [{ send: fragmented(opcode, payload, size) }],
      [message(opcode, payload)],
    ),
  );
}

function chopCases(group: string, opcode: 0x1 | 0x2): ConformanceCase[] {
  const kind = opcode === 0x1 ? 'Text' : 'Binary';
  const payload = (opcode === 0x1 ? asciiPayload : binaryPayload)(MiB);
  const chops: [number, number][] = [
    [1, 64],
    [6, 2048],
  ];
  return chops.map(([n, chop]) =>
    echoCase(
      `${group}.${n}`,
      `${kind} message of 1 MiB in ${chop}-byte TCP writes`,
      [{ send: clientFrame({ opcode, payload }), chop }],
      [message(opcode, payload)],
    ),
  );
}

function roundTripCases(group: string, opcode: 0x1 | 0x2): ConformanceCase[] {
  const kind = opcode === 0x1 ? 'text' : 'binary';
  const sizes: [number, number][] = [
    [1, 0],
    [3, 64],
    [6, 4096],
  ];
  return sizes.map(([n, size]) => {
    const payload = (opcode === 0x1 ? asciiPayload : binaryPayload)(size);
    return echoCase(
      `${group}.${n}`,
      `1000 ${kind} messages of ${size} bytes, each awaited`,
      [{ roundTrip: clientFrame({ opcode, payload }), times: 1000 }],
      Array.from({ length: 1000 }, () => message(opcode, payload)),
    );
  });
}

const category9: ConformanceCase[] = [
  ...largeCases('9.1', 0x1),
  ...largeCases('9.2', 0x2),
  ...fragmentCases('9.3', 0x1),
  ...fragmentCases('9.4', 0x2),
  ...chopCases('9.5', 0x1),
  ...chopCases('9.6', 0x2),
  ...roundTripCases('9.7', 0x1),
  ...roundTripCases('9.8', 0x2),
];

const autoFragmented = asciiPayload(64 * KiB);
const category10: ConformanceCase[] = [
  echoCase(
    '10.1.1',
    'Text message of 64 KiB in 1300-byte fragments',
    [{ send: fragmented(0x1, autoFragmented, 1300) }],
    [textMessage(autoFragmented)],
  ),
];

export const closeAndLimitCases = [...category7, ...category9, ...category10];
