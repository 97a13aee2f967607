// Property test for data integrity on a real port: a valid multipart body whose files are full of
// near-boundaries (`\r\n--` followed by a prefix of the real boundary, lone CR/LF, dashes) is sent in
// pieces cut at random points, one write each. The answer is 201 and every stored file is byte for
// byte what was sent, with the matching SHA-256: the parser never mistakes data for a boundary,
// however the bytes are chunked.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/upload-server.js';
import { oneShot } from './one-shot-request.js';

const seed = Number(process.env.FUZZ_SEED ?? 2046);
const numRuns = 80;
const BOUNDARY = 'xYz----livedropChunking2046';

const fraction = fc.integer({ min: 0, max: 1_000_000 }).map((n) => n / 1_000_000);

/** Bytes that look like the start of a delimiter (RFC 2046 §5.1.1: CRLF "--" boundary) but are not. */
const decoy = fc.oneof(
  fc.integer({ min: 0, max: BOUNDARY.length - 1 }).map((n) => Buffer.from(`\r\n--${BOUNDARY.slice(0, n)}`)),
  fc.constantFrom(
    ...['\r', '\n', '\r\n', '--', '\r\n-', `--${BOUNDARY}`, `\r\n--${BOUNDARY.slice(0, -1)}`].map((s) =>
      Buffer.from(s),
    ),
  ),
);
const content = fc
  .array(
    fc.oneof(
      decoy,
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    ),
    { maxLength: 30 },
  )
  .map((pieces) => Buffer.concat(pieces))
  // The one thing a part may not contain (RFC 2046 §5.1.1) is the delimiter itself, counting the
  // CRLF that ends its headers: a file may not start with "--" and the boundary either.
  .filter((data) => !Buffer.concat([Buffer.from('\r\n'), data]).includes(`\r\n--${BOUNDARY}`));

function body(files: Buffer[]): Buffer {
  const parts = files.flatMap((data, i) => [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f${i}.bin"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    data,
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  return [...points, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : points[i - 1], end));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let server: TestServer;

describe(`multipart bodies cut at random points (seed ${seed})`, () => {
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores every file byte for byte, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { minLength: 1, maxLength: 3 }),
        fc.array(fraction, { maxLength: 15 }),
        async (files, at) => {
          const bytes = body(files);
          const answer = await oneShot('POST', `${server.url}/api/uploads`, {
            headers: {
              'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
              'content-length': bytes.length,
            },
            pieces: cut(bytes, at),
          });
          expect(answer.status, answer.body).toBe(201);
          const { uploads } = JSON.parse(answer.body) as {
            uploads: { id: string; size: number; sha256: string }[];
          };
          expect(uploads.map((u) => [u.size, u.sha256])).toEqual(files.map((f) => [f.length, sha256(f)]));
          for (const [i, upload] of uploads.entries()) {
            const stored = await fetch(`${server.url}/api/uploads/${upload.id}/content`);
            expect(Buffer.from(await stored.arrayBuffer()).equals(files[i]!)).toBe(true);
            await oneShot('DELETE', `${server.url}/api/uploads/${upload.id}`);
          }
        },
      ),
      { seed, numRuns },
    );
  });
});
