// Hostile HTTP framing under an upload that has already started streaming to disk: a chunk whose
// trailer is not CRLF, Transfer-Encoding together with Content-Length (a request-smuggling shape,
// RFC 9112 §6.3), a chunk size beyond any integer. Each is answered 400 by the HTTP parser, the
// connection is closed, the temp file of the upload is removed, and the server keeps serving.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, multipart, startServer, type TestServer, tempFiles } from '../fixtures/upload-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.close();
});

const { body, contentType } = multipart([
  { name: 'file', filename: 'framed.bin', data: Buffer.alloc(300_000, 7) },
]);
const head = `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n`;
const firstChunk = Buffer.concat([Buffer.from(`${(100_000).toString(16)}\r\n`), body.subarray(0, 100_000)]);

/** Sends `pieces` on a raw connection; resolves with what the server answered once it closed. */
async function exchange(pieces: (string | Buffer)[]): Promise<string> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.once('close', resolve));
  for (const piece of pieces) socket.write(piece);
  await closed;
  return text;
}

describe('hostile HTTP framing mid-upload', () => {
  it.each([
    ['a chunk not followed by CRLF', [`${head}Transfer-Encoding: chunked\r\n\r\n`, firstChunk, 'ZZZ\r\n']],
    [
      'Transfer-Encoding together with Content-Length',
      [`${head}Transfer-Encoding: chunked\r\nContent-Length: 10\r\n\r\n`, firstChunk],
    ],
    ['a chunk size beyond any integer', [`${head}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n`]],
  ])('400 and the connection closed for %s; nothing left in .tmp', async (_case, pieces) => {
    const answer = await exchange(pieces as (string | Buffer)[]);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await eventually(async () => expect(await tempFiles(server.dir)).toEqual([]));
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});
