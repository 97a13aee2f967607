// Slow and stuck clients on a real port, with the timeouts shortened so each case takes a second or two:
// headers trickled byte by byte (slowloris) and a WebSocket handshake sent only halfway are cut off by
// HEADERS_TIMEOUT with 408; a body that stalls is cut off by UPLOAD_IDLE_TIMEOUT with 408, its temp
// file removed and watchers told (`upload.failed`); a body that is slow but keeps moving is not cut
// off. The server keeps serving everyone else meanwhile.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, multipart, startServer, type TestServer, tempFiles } from '../fixtures/upload-server.js';
import { openWsWatcher, type WsWatcher } from '../integration/events-clients.js';

const TIMEOUT_MS = 1000;
let server: TestServer;
let watcher: WsWatcher;

beforeAll(async () => {
  server = await startServer({
    HEADERS_TIMEOUT: String(TIMEOUT_MS),
    UPLOAD_IDLE_TIMEOUT: String(TIMEOUT_MS),
  });
  watcher = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
});
afterAll(async () => {
  watcher?.socket.terminate();
  await server?.close();
});

interface RawConnection {
  socket: Socket;
  /** Everything the server sent, as text. */
  received(): string;
  /** Settles when the server has closed the connection. */
  closed: Promise<void>;
}

async function open(): Promise<RawConnection> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let text = '';
  socket.setEncoding('latin1').on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', () => {}); // a reset is one way of being cut off
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

/** Writes `text` one byte per `everyMs` until it is all sent or the server closes; returns bytes sent. */
async function trickle(connection: RawConnection, text: string, everyMs: number): Promise<number> {
  let closed = false;
  void connection.closed.then(() => {
    closed = true;
  });
  let sent = 0;
  while (sent < text.length && !closed) {
    connection.socket.write(text[sent]!);
    sent++;
    await sleep(everyMs);
  }
  return sent;
}

const healthy = async () => expect((await fetch(`${server.url}/api/health`)).status).toBe(200);

describe('slow and stuck clients', () => {
  it('slowloris: headers trickled byte by byte get 408 and the connection closed (HEADERS_TIMEOUT)', async () => {
    const connection = await open();
    const headers = `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(400)}\r\n\r\n`;
    const trickling = trickle(connection, headers, 20); // would take 10 s to finish
    await sleep(TIMEOUT_MS / 2);
    await healthy(); // others are served meanwhile
    const sent = await trickling;
    await connection.closed;
    expect(sent).toBeLessThan(headers.length);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
    await healthy();
  });

  it('a WebSocket handshake sent only halfway is cut off the same way', async () => {
    const connection = await open();
    connection.socket.write(
      'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
    );
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(connection.received()).not.toContain('101 Switching Protocols');
  });

  it('a body that stalls gets 408 UPLOAD_IDLE_TIMEOUT, its temp file removed (UPLOAD_IDLE_TIMEOUT)', async () => {
    const { body, contentType } = multipart([
      { name: 'file', filename: 'stall.bin', data: randomBytes(200_000) },
    ]);
    const connection = await open();
    connection.socket.write(
      `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    connection.socket.write(body.subarray(0, 100_000));
    await eventually(async () => expect(await tempFiles(server.dir)).toHaveLength(1));
    await connection.closed;
    const [head, json] = connection.received().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(json!)).toMatchObject({ statusCode: 408, code: 'UPLOAD_IDLE_TIMEOUT' });
    expect(await tempFiles(server.dir)).toEqual([]);
    const failed = await watcher.waitFor((e) => e.type === 'upload.failed', 'upload.failed');
    expect(failed.error).toMatchObject({ code: 'UPLOAD_IDLE_TIMEOUT' });
    expect(failed.upload).toMatchObject({ name: 'stall.bin', status: 'failed' });
    await healthy();
  });

  it('a body that is slow but keeps moving is not cut off', async () => {
    const data = randomBytes(8 * 1024);
    const { body, contentType } = multipart([{ name: 'file', filename: 'slow.bin', data }]);
    const connection = await open();
    connection.socket.write(
      `POST /api/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: ${contentType}\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
    );
    // Ten pieces, one every quarter of the idle timeout: 2.5 timeouts in all, never idle for one (a
    // loaded machine may stretch a gap; a quarter leaves it room).
    const pieces = 10;
    const size = Math.ceil(body.length / pieces);
    for (let i = 0; i < pieces; i++) {
      await sleep(TIMEOUT_MS * 0.25);
      connection.socket.write(body.subarray(i * size, (i + 1) * size));
    }
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 201 /);
  });
});
