// Autobahn categories 1–5: framing and length boundaries, ping/pong, reserved bits, opcodes,
// fragmentation. Case numbers follow the Autobahn TestSuite fuzzing client.
import {
  binaryMessage,
  type ConformanceCase,
  echoCase,
  failCase,
  pong,
  type Step,
  textMessage,
} from './case.js';
import { clientFrame } from './client-frames.js';

const TEXT = 0x1;
const BINARY = 0x2;
const PING = 0x9;
const PONG = 0xa;

const text = (payload: Buffer | string, fin = true, rsv = 0) =>
  clientFrame({ opcode: TEXT, payload, fin, rsv });
const cont = (payload: Buffer | string, fin = true) => clientFrame({ opcode: 0, payload, fin });
const ping = (payload: Buffer | string = '', fin = true) => clientFrame({ opcode: PING, payload, fin });
const send = (...frames: Buffer[]): Step => ({ send: Buffer.concat(frames) });
/** Each frame in its own write, with a pause between (Autobahn's "frame-wise with sync"). */
const frameWise = (...frames: Buffer[]): Step[] =>
  frames.flatMap((frame) => [{ send: frame }, { pause: 10 }]);
const chopped = (...frames: Buffer[]): Step => ({ send: Buffer.concat(frames), chop: 1 });

const sizes = [0, 125, 126, 127, 128, 65535, 65536];

const category1: ConformanceCase[] = [
  ...sizes.map((n, i) =>
    echoCase(
      `1.1.${i + 1}`,
      `Text message, ${n} bytes`,
      [send(text('*'.repeat(n)))],
      [textMessage('*'.repeat(n))],
    ),
  ),
  echoCase(
    '1.1.8',
    'Text message, 65536 bytes, in 997-byte TCP writes',
    [{ send: text('*'.repeat(65536)), chop: 997 }],
    [textMessage('*'.repeat(65536))],
  ),
  ...sizes.map((n, i) =>
    echoCase(
      `1.2.${i + 1}`,
      `Binary message, ${n} bytes`,
      [send(clientFrame({ opcode: BINARY, payload: Buffer.alloc(n, 0xfe) }))],
      [binaryMessage(Buffer.alloc(n, 0xfe))],
    ),
  ),
  echoCase(
    '1.2.8',
    'Binary message, 65536 bytes, in 997-byte TCP writes',
    [{ send: clientFrame({ opcode: BINARY, payload: Buffer.alloc(65536, 0xfe) }), chop: 997 }],
    [binaryMessage(Buffer.alloc(65536, 0xfe))],
  ),
];

const binaryPing = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
const category2: ConformanceCase[] = [
  echoCase('2.1', 'Ping without payload', [send(ping())], [pong()]),
  echoCase('2.2', 'Ping with a text payload', [send(ping('Hello, world!'))], [pong('Hello, world!')]),
  echoCase('2.3', 'Ping with a binary payload', [send(ping(binaryPing))], [pong(binaryPing)]),
  echoCase(
    '2.4',
    'Ping with 125 bytes',
    [send(ping(Buffer.alloc(125, 0xfe)))],
    [pong(Buffer.alloc(125, 0xfe))],
  ),
  failCase('2.5', 'Ping with 126 bytes', [send(ping(Buffer.alloc(126, 0xfe)))]),
  echoCase(
    '2.6',
    'Ping with 125 bytes, in 1-byte writes',
    [chopped(ping(Buffer.alloc(125, 0xfe)))],
    [pong(Buffer.alloc(125, 0xfe))],
  ),
  echoCase('2.7', 'Unsolicited pong without payload', [send(clientFrame({ opcode: PONG }))], []),
  echoCase(
    '2.8',
    'Unsolicited pong with payload',
    [send(clientFrame({ opcode: PONG, payload: 'unsolicited' }))],
    [],
  ),
  echoCase(
    '2.9',
    'Unsolicited pong, then ping',
    [send(clientFrame({ opcode: PONG, payload: 'unsolicited' }), ping('ping'))],
    [pong('ping')],
  ),
  echoCase(
    '2.10',
    '10 pings',
    [send(...Array.from({ length: 10 }, (_, i) => ping(`payload-${i}`)))],
    Array.from({ length: 10 }, (_, i) => pong(`payload-${i}`)),
  ),
  echoCase(
    '2.11',
    '10 pings, each in 1-byte writes',
    Array.from({ length: 10 }, (_, i) => chopped(ping(`payload-${i}`))),
    Array.from({ length: 10 }, (_, i) => pong(`payload-${i}`)),
  ),
];

const hello = 'Hello, world!';
const category3: ConformanceCase[] = [
  failCase('3.1', 'Text with RSV = 1', [send(text(hello, true, 4))]),
  failCase(
    '3.2',
    'Text, then text with RSV = 2, then ping',
    [send(text(hello), text(hello, true, 2), ping())],
    1002,
    [textMessage(hello)],
  ),
  failCase(
    '3.3',
    'Text, text with RSV = 3, ping, frame-wise',
    frameWise(text(hello), text(hello, true, 3), ping()),
    1002,
    [textMessage(hello)],
  ),
  failCase(
    '3.4',
    'Text, text with RSV = 4, ping, in 1-byte writes',
    [chopped(text(hello), text(hello, true, 4), ping())],
    1002,
    [textMessage(hello)],
  ),
  failCase('3.5', 'Binary with RSV = 5', [
    send(clientFrame({ opcode: BINARY, payload: binaryPing, rsv: 5 })),
  ]),
  failCase('3.6', 'Ping with RSV = 6', [send(clientFrame({ opcode: PING, payload: hello, rsv: 6 }))]),
  failCase('3.7', 'Close with RSV = 7', [send(clientFrame({ opcode: 0x8, rsv: 7 }))]),
];

function reservedOpcodeCases(group: string, opcodes: number[]): ConformanceCase[] {
  return [
    failCase(`${group}.1`, `Reserved opcode ${opcodes[0]}`, [send(clientFrame({ opcode: opcodes[0]! }))]),
    failCase(`${group}.2`, `Reserved opcode ${opcodes[1]} with payload`, [
      send(clientFrame({ opcode: opcodes[1]!, payload: 'reserved opcode payload' })),
    ]),
    ...opcodes
      .slice(2)
      .map((opcode, i) =>
        failCase(
          `${group}.${i + 3}`,
          `Text, reserved opcode ${opcode}${i > 0 ? ' with payload' : ''}, ping`,
          [send(text(hello), clientFrame({ opcode, payload: i > 0 ? 'reserved' : '' }), ping())],
          1002,
          [textMessage(hello)],
        ),
      ),
  ];
}

const category4 = [
  ...reservedOpcodeCases('4.1', [3, 4, 5, 6, 7]),
  ...reservedOpcodeCases('4.2', [11, 12, 13, 14, 15]),
];

const f1 = 'fragment1';
const f2 = 'fragment2';
const category5: ConformanceCase[] = [
  failCase('5.1', 'Ping in 2 fragments', [send(ping('fragment1', false), cont('fragment2'))]),
  failCase('5.2', 'Pong in 2 fragments', [
    send(clientFrame({ opcode: PONG, payload: f1, fin: false }), cont(f2)),
  ]),
  echoCase('5.3', 'Text in 2 fragments', [send(text(f1, false), cont(f2))], [textMessage(f1 + f2)]),
  echoCase('5.4', 'Text in 2 fragments, frame-wise', frameWise(text(f1, false), cont(f2)), [
    textMessage(f1 + f2),
  ]),
  echoCase(
    '5.5',
    'Text in 2 fragments, in 1-byte writes',
    [chopped(text(f1, false), cont(f2))],
    [textMessage(f1 + f2)],
  ),
  echoCase(
    '5.6',
    'Text in 2 fragments, ping in between',
    [send(text(f1, false), ping('pongme!'), cont(f2))],
    [pong('pongme!'), textMessage(f1 + f2)],
  ),
  echoCase(
    '5.7',
    'Text in 2 fragments, ping in between, frame-wise',
    frameWise(text(f1, false), ping('pongme!'), cont(f2)),
    [pong('pongme!'), textMessage(f1 + f2)],
  ),
  echoCase(
    '5.8',
    'Text in 2 fragments, ping in between, in 1-byte writes',
    [chopped(text(f1, false), ping('pongme!'), cont(f2))],
    [pong('pongme!'), textMessage(f1 + f2)],
  ),
  failCase('5.9', 'Continuation (FIN) with nothing to continue, then text', [
    send(cont(f2), text(f1, false), cont('x')),
  ]),
  failCase('5.10', 'Same as 5.9, frame-wise', frameWise(cont(f2), text(f1, false), cont('x'))),
  failCase('5.11', 'Same as 5.9, in 1-byte writes', [chopped(cont(f2), text(f1, false), cont('x'))]),
  failCase('5.12', 'Continuation (no FIN) with nothing to continue, then text', [
    send(cont(f2, false), text(f1, false), cont('x')),
  ]),
  failCase('5.13', 'Same as 5.12, frame-wise', frameWise(cont(f2, false), text(f1, false), cont('x'))),
  failCase('5.14', 'Same as 5.12, in 1-byte writes', [chopped(cont(f2, false), text(f1, false), cont('x'))]),
  failCase(
    '5.15',
    'Text in 2 fragments, then continuation with nothing to continue, then text',
    [send(text(f1, false), cont(f2), cont('fragment3', false), text('fragment4'))],
    1002,
    [textMessage(f1 + f2)],
  ),
  failCase('5.16', '2 x (continuation without FIN with nothing to continue, text in 2 fragments)', [
    send(cont('fragment1', false), text('fragment2', false), cont('fragment3')),
    send(cont('fragment1', false), text('fragment2', false), cont('fragment3')),
  ]),
  failCase('5.17', '2 x (continuation with FIN with nothing to continue, text in 2 fragments)', [
    send(cont('fragment1'), text('fragment2', false), cont('fragment3')),
    send(cont('fragment1'), text('fragment2', false), cont('fragment3')),
  ]),
  failCase('5.18', 'Text in 2 fragments, both with text opcode', [send(text(f1, false), text(f2))]),
  echoCase(
    '5.19',
    'Text in 5 fragments, pings after the 2nd and 4th, frame-wise',
    frameWise(
      text('fragment1', false),
      cont('fragment2', false),
      ping('pongme 1!'),
      cont('fragment3', false),
      cont('fragment4', false),
      ping('pongme 2!'),
      cont('fragment5'),
    ),
    [pong('pongme 1!'), pong('pongme 2!'), textMessage('fragment1fragment2fragment3fragment4fragment5')],
  ),
  echoCase(
    '5.20',
    'Same as 5.19, in 1-byte writes',
    [
      chopped(
        text('fragment1', false),
        cont('fragment2', false),
        ping('pongme 1!'),
        cont('fragment3', false),
        cont('fragment4', false),
        ping('pongme 2!'),
        cont('fragment5'),
      ),
    ],
    [pong('pongme 1!'), pong('pongme 2!'), textMessage('fragment1fragment2fragment3fragment4fragment5')],
  ),
];

export const framingCases = [...category1, ...category2, ...category3, ...category4, ...category5];
