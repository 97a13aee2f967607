// Autobahn category 6: UTF-8 handling. Valid text must come back unchanged; invalid text must fail
// the connection with 1007 (RFC 6455 §8.1). 6.4.x check fail-fast: the server must close as soon
// as the invalid byte arrives, before the rest of the message is sent. The sequences follow
// Markus Kuhn's UTF-8 decoder stress test, as Autobahn's cases 6.6–6.23 do.
import { type ConformanceCase, echoCase, failCase, type Step, textMessage } from './case.js';
import { clientFrame } from './client-frames.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const text = (payload: Buffer | string, fin = true) => clientFrame({ opcode: 0x1, payload, fin });
const cont = (payload: Buffer | string, fin = true) => clientFrame({ opcode: 0x0, payload, fin });

function oneByteFragments(payload: Buffer): Buffer {
  if (payload.length === 0) return text('');
  return Buffer.concat(
    [...payload].map((byte, i) =>
      i === 0 ? text(Buffer.of(byte), payload.length === 1) : cont(Buffer.of(byte), i === payload.length - 1),
    ),
  );
}

/** A case that sends `payload` as one text message and expects the echo (valid) or 1007. */
function utf8Case(id: string, description: string, payload: Buffer, valid: boolean): ConformanceCase {
  const steps: Step[] = [{ send: text(payload) }];
  return valid
    ? echoCase(id, description, steps, [textMessage(payload)])
    : failCase(id, description, steps, 1007);
}

const kosme = hex('cebae1bdb9cf83cebcceb5'); // κόσμε
const helloUtf8 = Buffer.from('Hello-µ@ßöäüàá-UTF-8!!');
const kosmeInvalid = hex('cebae1bdb9cf83cebcceb5eda080656469746564'); // κόσμε, U+D800, "edited"

/** Kuhn's stress test, grouped as Autobahn 6.7–6.23: [description, bytes, valid]. */
const stressGroups: [string, [string, string, boolean][]][] = [
  [
    '6.7',
    [
      ['First 1-byte sequence', '00', true],
      ['First 2-byte sequence', 'c280', true],
      ['First 3-byte sequence', 'e0a080', true],
      ['First 4-byte sequence', 'f0908080', true],
    ],
  ],
  [
    '6.8',
    [
      ['First 5-byte sequence', 'f888808080', false],
      ['First 6-byte sequence', 'fc8480808080', false],
    ],
  ],
  [
    '6.9',
    [
      ['Last 1-byte sequence', '7f', true],
      ['Last 2-byte sequence', 'dfbf', true],
      ['Last 3-byte sequence', 'efbfbf', true],
      ['Last 4-byte sequence (U+10FFFF)', 'f48fbfbf', true],
    ],
  ],
  [
    '6.10',
    [
      ['Last 4-byte pattern, beyond U+10FFFF', 'f7bfbfbf', false],
      ['Last 5-byte sequence', 'fbbfbfbfbf', false],
      ['Last 6-byte sequence', 'fdbfbfbfbfbf', false],
    ],
  ],
  [
    '6.11',
    [
      ['U+D7FF', 'ed9fbf', true],
      ['U+E000', 'ee8080', true],
      ['U+FFFD', 'efbfbd', true],
      ['U+10FFFF', 'f48fbfbf', true],
      ['U+110000', 'f4908080', false],
    ],
  ],
  [
    '6.12',
    [
      ['First continuation byte', '80', false],
      ['Last continuation byte', 'bf', false],
      ['2 continuation bytes', '80bf', false],
      ['3 continuation bytes', '80bf80', false],
      ['4 continuation bytes', '80bf80bf', false],
      ['5 continuation bytes', '80bf80bf80', false],
      ['6 continuation bytes', '80bf80bf80bf', false],
      ['7 continuation bytes', '80bf80bf80bf80', false],
      [
        'All 64 continuation bytes',
        Array.from({ length: 64 }, (_, i) => (0x80 + i).toString(16)).join(''),
        false,
      ],
    ],
  ],
  [
    '6.13',
    [
      [
        '2-byte starts, each followed by a space',
        Array.from({ length: 32 }, (_, i) => `${(0xc0 + i).toString(16)}20`).join(''),
        false,
      ],
      [
        '3-byte starts, each followed by a space',
        Array.from({ length: 16 }, (_, i) => `${(0xe0 + i).toString(16)}20`).join(''),
        false,
      ],
      [
        '4-byte starts, each followed by a space',
        Array.from({ length: 8 }, (_, i) => `${(0xf0 + i).toString(16)}20`).join(''),
        false,
      ],
      ['5-byte starts, each followed by a space', 'f820f920fa20fb20', false],
      ['6-byte starts, each followed by a space', 'fc20fd20', false],
    ],
  ],
  [
    '6.14',
    [
      ['2-byte U+0000 without its last byte', 'c0', false],
      ['3-byte U+0000 without its last byte', 'e080', false],
      ['4-byte U+0000 without its last byte', 'f08080', false],
      ['5-byte U+0000 without its last byte', 'f8808080', false],
      ['6-byte U+0000 without its last byte', 'fc80808080', false],
      ['2-byte U+07FF without its last byte', 'df', false],
      ['3-byte U+FFFF without its last byte', 'efbf', false],
      ['4-byte U+1FFFFF without its last byte', 'f7bfbf', false],
      ['5-byte U+3FFFFFF without its last byte', 'fbbfbfbf', false],
      ['6-byte U+7FFFFFFF without its last byte', 'fdbfbfbfbf', false],
    ],
  ],
  [
    '6.15',
    [['All of 6.14 concatenated', 'c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf', false]],
  ],
  [
    '6.16',
    [
      ['0xFE', 'fe', false],
      ['0xFF', 'ff', false],
      ['0xFE 0xFE 0xFF 0xFF', 'fefeffff', false],
    ],
  ],
  [
    '6.17',
    [
      ['Overlong "/" in 2 bytes', 'c0af', false],
      ['Overlong "/" in 3 bytes', 'e080af', false],
      ['Overlong "/" in 4 bytes', 'f08080af', false],
      ['Overlong "/" in 5 bytes', 'f8808080af', false],
      ['Overlong "/" in 6 bytes', 'fc80808080af', false],
    ],
  ],
  [
    '6.18',
    [
      ['Largest overlong 2-byte sequence', 'c1bf', false],
      ['Largest overlong 3-byte sequence', 'e09fbf', false],
      ['Largest overlong 4-byte sequence', 'f08fbfbf', false],
      ['Largest overlong 5-byte sequence', 'f887bfbfbf', false],
      ['Largest overlong 6-byte sequence', 'fc83bfbfbfbf', false],
    ],
  ],
  [
    '6.19',
    [
      ['Overlong NUL in 2 bytes', 'c080', false],
      ['Overlong NUL in 3 bytes', 'e08080', false],
      ['Overlong NUL in 4 bytes', 'f0808080', false],
      ['Overlong NUL in 5 bytes', 'f880808080', false],
      ['Overlong NUL in 6 bytes', 'fc8080808080', false],
    ],
  ],
  [
    '6.20',
    [
      ['U+D800', 'eda080', false],
      ['U+DB7F', 'edadbf', false],
      ['U+DB80', 'edae80', false],
      ['U+DBFF', 'edafbf', false],
      ['U+DC00', 'edb080', false],
      ['U+DF80', 'edbe80', false],
      ['U+DFFF', 'edbfbf', false],
    ],
  ],
  [
    '6.21',
    [
      ['U+D800 U+DC00', 'eda080edb080', false],
      ['U+D800 U+DFFF', 'eda080edbfbf', false],
      ['U+DB7F U+DC00', 'edadbfedb080', false],
      ['U+DB7F U+DFFF', 'edadbfedbfbf', false],
      ['U+DB80 U+DC00', 'edae80edb080', false],
      ['U+DB80 U+DFFF', 'edae80edbfbf', false],
      ['U+DBFF U+DC00', 'edafbfedb080', false],
      ['U+DBFF U+DFFF', 'edafbfedbfbf', false],
    ],
  ],
  [
    '6.22',
    [
      ['U+FFFE', 'efbfbe', true],
      ['U+FFFF', 'efbfbf', true],
      ['U+1FFFE', 'f09fbfbe', true],
      ['U+1FFFF', 'f09fbfbf', true],
      ['U+10FFFE', 'f48fbfbe', true],
      ['U+10FFFF', 'f48fbfbf', true],
      ['U+FDD0', 'efb790', true],
      ['U+FDEF', 'efb7af', true],
    ],
  ],
  [
    '6.23',
    [
      ['U+FFFD', 'efbfbd', true],
      ['U+FFFD U+FFFD', 'efbfbdefbfbd', true],
      ['"a" U+FFFD "b"', '61efbfbd62', true],
    ],
  ],
];

/**
 * Autobahn 6.4.x: a valid start, then (after a pause) the part with the byte that makes the text
 * invalid; the server must close before we send the rest.
 */
function failFastCase(
  id: string,
  description: string,
  valid: Buffer,
  invalid: Buffer,
  rest: Buffer,
): ConformanceCase {
  return failCase(
    id,
    description,
    [{ send: valid }, { pause: 20 }, { send: invalid }, { failFastWithin: 1000 }, { send: rest }],
    1007,
  );
}

const u110000 = hex('f4908080');
const invalidFrame = text(Buffer.concat([kosme, u110000, Buffer.from('edited')]));
const invalidAt = 2 + 4 + kosme.length; // header + mask + κόσμε: the next byte is 0xF4

export const utf8Cases: ConformanceCase[] = [
  echoCase('6.1.1', 'Empty text message', [{ send: text('') }], [textMessage('')]),
  echoCase(
    '6.1.2',
    'Text message of 3 empty fragments',
    [{ send: Buffer.concat([text('', false), cont('', false), cont('')]) }],
    [textMessage('')],
  ),
  echoCase(
    '6.1.3',
    'Empty fragments, then a non-empty final fragment',
    [{ send: Buffer.concat([text('', false), cont('middle frame payload', false), cont('')]) }],
    [textMessage('middle frame payload')],
  ),
  utf8Case('6.2.1', 'Valid UTF-8 in one fragment', helloUtf8, true),
  echoCase(
    '6.2.2',
    'Valid UTF-8 in 2 fragments split at a code point',
    [{ send: Buffer.concat([text(helloUtf8.subarray(0, 7), false), cont(helloUtf8.subarray(7))]) }],
    [textMessage(helloUtf8)],
  ),
  echoCase(
    '6.2.3',
    'Valid UTF-8 in 1-byte fragments',
    [{ send: oneByteFragments(helloUtf8) }],
    [textMessage(helloUtf8)],
  ),
  echoCase(
    '6.2.4',
    'κόσμε in 1-byte fragments (code points split)',
    [{ send: oneByteFragments(kosme) }],
    [textMessage(kosme)],
  ),
  failCase('6.3.1', 'Invalid UTF-8 (a surrogate) in one frame', [{ send: text(kosmeInvalid) }], 1007),
  failCase(
    '6.3.2',
    'Invalid UTF-8 (a surrogate) in 1-byte fragments',
    [{ send: oneByteFragments(kosmeInvalid) }],
    1007,
  ),
  failFastCase(
    '6.4.1',
    'Fail-fast: valid fragment, invalid fragment, valid fragment',
    text(kosme, false),
    cont(u110000, false),
    cont(Buffer.from('edited')),
  ),
  failFastCase(
    '6.4.2',
    'Fail-fast: the fragment of the byte that makes it invalid (0x90 after 0xF4)',
    text(Buffer.concat([kosme, u110000.subarray(0, 1)]), false),
    cont(u110000.subarray(1, 2), false),
    cont(Buffer.concat([u110000.subarray(2), Buffer.from('edited')])),
  ),
  failFastCase(
    '6.4.3',
    'Fail-fast: one frame in 3 TCP writes, the 2nd holds the bad bytes',
    invalidFrame.subarray(0, invalidAt),
    invalidFrame.subarray(invalidAt, invalidAt + 4),
    invalidFrame.subarray(invalidAt + 4),
  ),
  failFastCase(
    '6.4.4',
    'Fail-fast: one frame, the byte that makes it invalid (0x90) in a write of its own',
    invalidFrame.subarray(0, invalidAt + 1),
    invalidFrame.subarray(invalidAt + 1, invalidAt + 2),
    invalidFrame.subarray(invalidAt + 2),
  ),
  utf8Case('6.5.1', 'κόσμε', kosme, true),
  utf8Case('6.5.2', 'Mixed scripts and emoji', Buffer.from('Ünïcödé — ελληνικά, 日本語, 😀'), true),
  ...Array.from({ length: kosme.length }, (_, i) => {
    const prefix = kosme.subarray(0, i + 1);
    // κόσμε's code points end after bytes 2, 5, 7, 9 and 11.
    return utf8Case(
      `6.6.${i + 1}`,
      `First ${i + 1} bytes of κόσμε`,
      prefix,
      [2, 5, 7, 9, 11].includes(i + 1),
    );
  }),
  ...stressGroups.flatMap(([group, sequences]) =>
    sequences.map(([description, bytes, valid], i) =>
      utf8Case(`${group}.${i + 1}`, description, hex(bytes), valid),
    ),
  ),
];
