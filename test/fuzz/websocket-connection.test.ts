// The same random frame sequences as frame-receiver.test.ts, now on the wire: a real socket to an echo
// server on the core (attachWebSocketServer), bytes cut at random points. What comes back must be what
// the reference model implies — each delivered message echoed, each ping answered with its payload —
// followed by exactly one close frame carrying the model's code (its error code, or the peer's own
// close code echoed), and then the server closes TCP. A final valid close frame from the client ends
// every sequence that the model did not already end.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachWebSocketServer, type WebSocketServer } from '../../server/ws/index.js';
import { chunking, chunksOf, frames, MAX_PAYLOAD } from './frame-arbitraries.js';
import { type Delivery, encodeFrame, type Frame, referenceDeliveries } from './frame-model.js';

const seed = Number(process.env.FUZZ_SEED ?? 1006);
const numRuns = 150;
/** The server must have closed the connection by then. */
const CLOSE_WITHIN_MS = 5000;

type Wire = { op: number; data: string } | { op: 0x8; code: number };

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** What the server sends for each model delivery (RFC 6455 §5.5.2, §5.5.1, §7.1.7). */
function expectedWire(deliveries: Delivery[]): Wire[] {
  const wire: Wire[] = [];
  for (const d of deliveries) {
    if (d.kind === 'message') {
      wire.push({ op: d.binary ? 0x2 : 0x1, data: d.binary ? d.data : hex(Buffer.from(d.data)) });
    } else if (d.kind === 'ping') {
      wire.push({ op: 0xa, data: d.data });
    } else if (d.kind === 'close') {
      wire.push({ op: 0x8, code: d.code });
    } else if (d.kind === 'error') {
      wire.push({ op: 0x8, code: d.closeCode });
    }
    // A pong is answered with nothing.
  }
  return wire;
}

/** Parses the server's (unmasked) frames; a close frame is reduced to its code (1005 when it has none). */
function parseServerFrames(bytes: Buffer): Wire[] {
  const out: Wire[] = [];
  let at = 0;
  while (at < bytes.length) {
    const op = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    at += 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    const payload = bytes.subarray(at, at + length);
    at += length;
    out.push(
      op === 0x8
        ? { op, code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005 }
        : { op, data: hex(payload) },
    );
  }
  return out;
}

const HANDSHAKE =
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/** Sends the handshake, then each chunk as its own write; resolves with every byte after the 101 once TCP ends. */
function exchange(port: number, chunks: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${CLOSE_WITHIN_MS} ms`));
    }, CLOSE_WITHIN_MS);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', () => {}); // the server may reset once it has closed: what it sent is what counts
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(received);
      const head = all.indexOf('\r\n\r\n');
      if (!all.subarray(0, head).toString('latin1').startsWith('HTTP/1.1 101 ')) {
        return reject(new Error(`handshake failed: ${all.toString('latin1').slice(0, 80)}`));
      }
      resolve(all.subarray(head + 4));
    });
    socket.write(HANDSHAKE);
    const send = (i: number): void => {
      if (i === chunks.length || socket.destroyed) return;
      socket.write(chunks[i]!, () => setImmediate(send, i + 1));
    };
    send(0);
  });
}

const CLIENT_CLOSE: Frame = {
  fin: true,
  rsv: 0,
  opcode: 0x8,
  masked: true,
  maskKey: 0x0badf00d,
  payload: Uint8Array.of(0x03, 0xe8), // 1000
};

let server: Server;
let wss: WebSocketServer;
let port: number;

describe(`WebSocket connections fed random frames (seed ${seed})`, () => {
  beforeAll(async () => {
    server = createServer();
    wss = attachWebSocketServer(server, {
      path: '/',
      maxPayload: MAX_PAYLOAD,
      onConnection: (connection) => {
        connection.on('message', (data) => connection.send(data));
        connection.on('error', () => {}); // a protocol error closes the connection; that is the test
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers as the model says, closes with the model code, then closes TCP', async () => {
    await fc.assert(
      fc.asyncProperty(frames, chunking, async (sequence, cuts) => {
        const sent = [...sequence, CLIENT_CLOSE];
        const wire = Buffer.concat(sent.map(encodeFrame));
        const answer = parseServerFrames(await exchange(port, chunksOf(wire, cuts)));
        expect(answer).toEqual(expectedWire(referenceDeliveries(sent, MAX_PAYLOAD)));
      }),
      { seed, numRuns },
    );
  });
});
