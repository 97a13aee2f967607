// Property test for POST /api/uploads on a real port: a valid multipart body, corrupted at random (cut
// short, a boundary broken, a byte overwritten, a 20–80 KiB part header, thousands of tiny parts,
// `__proto__`/`constructor` field names, CR/LF inside names, broken Content-Disposition, a bad request
// Content-Type), is always answered — 201 when the damage left a valid form, otherwise a 4xx — never a
// 5xx and never a hang; a rejected request keeps nothing; `.tmp/` is empty after every answer; the
// server stays healthy and its open file descriptors return to where they were.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServer, type TestServer, tempFiles } from '../fixtures/upload-server.js';
import { oneShot } from './one-shot-request.js';

const seed = Number(process.env.FUZZ_SEED ?? 7578);
const numRuns = 100;
/** Longer than any honest answer takes: a request still unanswered by then counts as a hang. */
const HANG_MS = 8000;

interface RawPart {
  disposition: string | null;
  type: string | null;
  extraHeader: string | null;
  content: Buffer;
}

interface Body {
  parts: RawPart[];
  contentType: (boundary: string) => string;
  mutations: Mutation[];
}

type Mutation =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'break-boundary'; which: number }
  | { kind: 'tiny-parts'; count: number; files: boolean };

const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'size',
  'thumbnail',
  'file',
  'a\r\nContent-Type: text/html',
  'x\r\n\r\ninjected',
  'line\nfeed',
  '"',
  '',
];
const fieldName = fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string({ maxLength: 20 }));
const fileName = fc.oneof(
  fc.constantFrom(
    'a.txt',
    '../../etc/passwd',
    'C:\\boot.ini',
    'new\r\nline.bin',
    '%00.bin',
    '',
    '\u202Egnp.exe',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

const disposition = (name: string, filename: string | null) =>
  `form-data; name="${name}"${filename === null ? '' : `; filename="${filename}"`}`;

const BROKEN_DISPOSITIONS = [
  null,
  'attachment; filename="a.bin"',
  'form-data',
  'form-data; name=',
  'form-data; name="unterminated',
  'form-data; filename="no-name.bin"',
  ';;;=;"',
  `form-data; name="${'n'.repeat(5000)}"; filename="long.bin"`,
];

const filePart: fc.Arbitrary<RawPart> = fc.record({
  disposition: fc.tuple(fieldName, fileName).map(([name, filename]) => disposition(name, filename)),
  type: fc.constantFrom('application/octet-stream', 'image/png', 'text/html', '', 'garbage', null),
  extraHeader: fc.constant(null),
  content: fc.uint8Array({ maxLength: 3000 }).map((bytes) => Buffer.from(bytes)),
});

const fieldPart: fc.Arbitrary<RawPart> = fc.record({
  disposition: fieldName.map((name) => disposition(name, null)),
  type: fc.constant(null),
  extraHeader: fc.constant(null),
  content: fc
    .oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('12', '0', '-1', '99999999999999999', 'data:image/png;base64,AA=='),
    )
    .map((s) => Buffer.from(s)),
});

/** A part whose headers are themselves the attack: broken Content-Disposition or a huge header line. */
const hostileHeaderPart: fc.Arbitrary<RawPart> = fc.record({
  disposition: fc.constantFrom(...BROKEN_DISPOSITIONS),
  type: fc.constantFrom('application/octet-stream', null),
  extraHeader: fc.option(
    fc.integer({ min: 20, max: 80 }).map((kib) => `X-Padding: ${'p'.repeat(kib * 1024)}`),
    { freq: 2 },
  ),
  content: fc.uint8Array({ maxLength: 500 }).map((bytes) => Buffer.from(bytes)),
});

const CONTENT_TYPES: ((boundary: string) => string)[] = [
  (b) => `multipart/form-data; boundary=${b}`,
  (b) => `multipart/form-data; boundary="${b}"`,
  () => 'multipart/form-data',
  () => 'multipart/form-data; boundary=',
  (b) => `multipart/form-data; boundary=${b}x`,
  (b) => `multipart/mixed; boundary=${b}`,
  () => 'multipart/form-data; boundary="unterminated',
];

// fc.double piles up near 0 (it draws exponents evenly); a uniform fraction needs integers.
const fraction = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000);

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fraction }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fraction,
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ kind: fc.constant('break-boundary' as const), which: fc.nat(5) }),
  fc.record({
    kind: fc.constant('tiny-parts' as const),
    count: fc.integer({ min: 1000, max: 4000 }),
    files: fc.boolean(),
  }),
);

const body: fc.Arbitrary<Body> = fc.record({
  parts: fc.array(
    fc.oneof(
      { arbitrary: filePart, weight: 3 },
      { arbitrary: fieldPart, weight: 3 },
      { arbitrary: hostileHeaderPart, weight: 2 },
    ),
    { minLength: 1, maxLength: 5 },
  ),
  contentType: fc.oneof(
    { arbitrary: fc.constant(CONTENT_TYPES[0]!), weight: 6 },
    { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 1 },
  ),
  mutations: fc.array(mutation, { maxLength: 2 }),
});

const BOUNDARY = '----livedropFuzzBoundary7578';

function encode({ parts, mutations }: Body): Buffer {
  const chunks: Buffer[] = [];
  const tinyParts = mutations.filter((m) => m.kind === 'tiny-parts');
  for (const part of parts) {
    const head = [`--${BOUNDARY}`];
    if (part.disposition !== null) head.push(`Content-Disposition: ${part.disposition}`);
    if (part.type !== null) head.push(`Content-Type: ${part.type}`);
    if (part.extraHeader !== null) head.push(part.extraHeader);
    chunks.push(Buffer.from(`${head.join('\r\n')}\r\n\r\n`), part.content, Buffer.from('\r\n'));
  }
  for (const { count, files } of tinyParts) {
    const tiny = files
      ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="t"\r\n\r\nx\r\n`
      : `--${BOUNDARY}\r\nContent-Disposition: form-data; name="t"\r\n\r\nx\r\n`;
    chunks.push(Buffer.from(tiny.repeat(count)));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  let bytes = Buffer.concat(chunks);
  for (const m of mutations) {
    if (m.kind === 'flip' && bytes.length > 0) bytes[Math.floor(m.at * bytes.length) % bytes.length] = m.byte;
    if (m.kind === 'break-boundary') {
      let at = -1;
      for (let i = 0; i <= m.which; i++) {
        const next = bytes.indexOf(BOUNDARY, at + 1);
        if (next === -1) break;
        at = next;
      }
      if (at !== -1) bytes[at + BOUNDARY.length - 1] = 0x21; // '!': the boundary no longer matches
    }
  }
  for (const m of mutations) if (m.kind === 'cut') bytes = bytes.subarray(0, Math.floor(m.at * bytes.length));
  return bytes;
}

const openFds = () => readdirSync('/proc/self/fd').length;

let server: TestServer;

describe(`corrupted multipart bodies (seed ${seed})`, () => {
  beforeAll(async () => {
    // The idle timeout must not stand in for an answer: it is longer than HANG_MS.
    server = await startServer({ UPLOAD_IDLE_TIMEOUT: String(HANG_MS + 2000), MAX_FILES: '4' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('always answers 201 or 4xx, keeps nothing from a rejected request, leaves .tmp empty', async () => {
    const fdsBefore = openFds();
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        const bytes = encode(input);
        const answer = await oneShot('POST', `${server.url}/api/uploads`, {
          headers: { 'content-type': input.contentType(BOUNDARY), 'content-length': bytes.length },
          pieces: [bytes],
          timeoutMs: HANG_MS,
        });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, answer.body).toBeLessThan(500);
        expect([201, 400, 413, 415]).toContain(answer.status);
        // An error answer is Fastify's error shape with a code from the table.
        const json = JSON.parse(answer.body) as { code?: string; uploads?: { id: string }[] };
        if (answer.status !== 201) expect(json.code).toMatch(/^UPLOAD_[A-Z_]+$/);
        const listed = JSON.parse((await oneShot('GET', `${server.url}/api/uploads?limit=200`)).body) as {
          uploads: { id: string }[];
        };
        // All or nothing: exactly the answered files are stored. They are removed for the next run.
        expect(listed.uploads.map((u) => u.id).sort()).toEqual((json.uploads ?? []).map((u) => u.id).sort());
        for (const { id } of listed.uploads) await oneShot('DELETE', `${server.url}/api/uploads/${id}`);
        await eventually(async () => expect(await tempFiles(server.dir)).toEqual([]));
      }),
      { seed, numRuns },
    );
    // Both outcomes happened, so the property was tested on both sides.
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);

    expect((await oneShot('GET', `${server.url}/api/health`)).status).toBe(200);
    // Early answers linger up to 2 s draining the rest of the body before the socket closes.
    await eventually(() => expect(openFds()).toBeLessThanOrEqual(fdsBefore), 10_000);
  });
});
