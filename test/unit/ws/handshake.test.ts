import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptValue } from '../../../server/ws/handshake.js';
import { attachWebSocketServer, type WebSocketServer } from '../../../server/ws/index.js';

/** Sends raw request bytes and resolves with everything the server wrote before closing. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString('latin1');
      // A 101 keeps the connection open: stop reading once its head is complete.
      if (response.startsWith('HTTP/1.1 101') && response.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(response));
    socket.on('error', reject);
    socket.write(request);
  });
}

function upgradeRequest(
  headers: Record<string, string | string[]>,
  requestLine = 'GET /live?since=4 HTTP/1.1',
): string {
  const lines = Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`),
  );
  return `${requestLine}\r\n${lines.join('\r\n')}\r\n\r\n`;
}

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const valid = {
  Host: 'localhost',
  Upgrade: 'websocket',
  Connection: 'Upgrade',
  'Sec-WebSocket-Key': KEY,
  'Sec-WebSocket-Version': '13',
};

describe('opening handshake (RFC 6455 §4.2)', () => {
  let server: Server;
  let wss: WebSocketServer;
  let port: number;
  const accepted: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer();
    wss = attachWebSocketServer(server, {
      path: '/live',
      origins: ['https://allowed.example'],
      protocols: ['chat.v2', 'chat.v1'],
      authorize: (req) =>
        req.headers.authorization === 'Bearer no' ? { status: 401, message: 'Bad token' } : undefined,
      onConnection: (_conn, req) => accepted.push(req),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('computes the Sec-WebSocket-Accept of the RFC example', () => {
    expect(acceptValue(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('answers 101 with the accept value, and declines extensions by not echoing them', async () => {
    const response = await rawExchange(
      port,
      upgradeRequest({
        ...valid,
        Connection: 'keep-alive, Upgrade',
        'Sec-WebSocket-Extensions': 'permessage-deflate',
      }),
    );
    expect(response).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
    expect(response).toContain('\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n');
    expect(response).not.toMatch(/Sec-WebSocket-Extensions/i);
    expect(response).not.toMatch(/Sec-WebSocket-Protocol/i);
  });

  it("picks the first subprotocol of the client's list that the server supports", async () => {
    const response = await rawExchange(
      port,
      upgradeRequest({ ...valid, 'Sec-WebSocket-Protocol': ['x.unknown, chat.v1', 'chat.v2'] }),
    );
    expect(response).toContain('\r\nSec-WebSocket-Protocol: chat.v1\r\n');
  });

  it.each([
    ['the method is POST', upgradeRequest(valid, 'POST /live HTTP/1.1')],
    ['Upgrade is not websocket', upgradeRequest({ ...valid, Upgrade: 'h2c' })],
    ['the key is missing', upgradeRequest({ ...valid, 'Sec-WebSocket-Key': [] })],
    ['the key is not 16 bytes', upgradeRequest({ ...valid, 'Sec-WebSocket-Key': 'c2hvcnQ=' })],
    ['the key is repeated', upgradeRequest({ ...valid, 'Sec-WebSocket-Key': [KEY, KEY] })],
    ['the version is missing', upgradeRequest({ ...valid, 'Sec-WebSocket-Version': [] })],
  ])('answers 400 when %s', async (_name, request) => {
    const before = accepted.length;
    const response = await rawExchange(port, request);
    expect(response).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(response).toMatch(/Content-Type: text\/plain/);
    expect(accepted).toHaveLength(before);
  });
  // Without "Connection: upgrade" and an Upgrade header Node never emits 'upgrade': such requests
  // are plain HTTP requests for the application's own request handler.

  it('answers 400 to HTTP/1.0', async () => {
    const response = await rawExchange(port, upgradeRequest(valid, 'GET /live HTTP/1.0'));
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
  });

  it.each([['8'], ['14'], [['13', '8']]])(
    'answers 426 with Sec-WebSocket-Version: 13 to version %s',
    async (version) => {
      const response = await rawExchange(
        port,
        upgradeRequest({ ...valid, 'Sec-WebSocket-Version': version }),
      );
      expect(response).toMatch(/^HTTP\/1\.1 426 Upgrade Required\r\n/);
      expect(response).toContain('\r\nSec-WebSocket-Version: 13\r\n');
    },
  );

  it('answers 403 to an origin not on the list, and accepts a listed one', async () => {
    expect(await rawExchange(port, upgradeRequest({ ...valid, Origin: 'https://evil.example' }))).toMatch(
      /^HTTP\/1\.1 403 /,
    );
    expect(await rawExchange(port, upgradeRequest({ ...valid, Origin: 'https://allowed.example' }))).toMatch(
      /^HTTP\/1\.1 101 /,
    );
  });

  it('answers with the status authorize() returns', async () => {
    const response = await rawExchange(port, upgradeRequest({ ...valid, Authorization: 'Bearer no' }));
    expect(response).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(response).toMatch(/\r\n\r\nBad token\n$/);
  });

  it('answers 404 on another path, and ignores the query string when matching', async () => {
    expect(await rawExchange(port, upgradeRequest(valid, 'GET /other HTTP/1.1'))).toMatch(/^HTTP\/1\.1 404 /);
    expect(await rawExchange(port, upgradeRequest(valid, 'GET /live?a=1 HTTP/1.1'))).toMatch(
      /^HTTP\/1\.1 101 /,
    );
  });

  it('survives garbage and a client that vanishes mid-handshake', async () => {
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(upgradeRequest(valid).slice(0, 40));
    socket.destroy();
    await rawExchange(port, '\x00\xff garbage\r\n\r\n');
    expect(await rawExchange(port, upgradeRequest(valid))).toMatch(/^HTTP\/1\.1 101 /);
  });
});
