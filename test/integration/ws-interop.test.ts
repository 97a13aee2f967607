// The real `ws` client against our core: payload kinds, sizes, fragmentation, close codes and
// reasons in both directions, ping/pong, subprotocols and declined compression.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import {
  attachWebSocketServer,
  type WebSocketConnection,
  type WebSocketServer,
} from '../../server/ws/index.js';

let server: Server;
let wss: WebSocketServer;
let url: string;
const connections: WebSocketConnection[] = [];

beforeAll(async () => {
  server = createServer();
  wss = attachWebSocketServer(server, {
    path: '/echo',
    maxPayload: 64 * 1024 * 1024,
    protocols: ['livedrop.v1'],
    onConnection(conn) {
      connections.push(conn);
      conn.on('message', (data) => conn.send(data));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
});

afterAll(async () => {
  await wss.close();
  await new Promise((resolve) => server.close(resolve));
});

async function open(protocols?: string[]): Promise<{ client: WebSocket; conn: WebSocketConnection }> {
  const before = connections.length;
  const client = new WebSocket(url, protocols);
  await once(client, 'open');
  await vi.waitFor(() => expect(connections.length).toBe(before + 1));
  return { client, conn: connections[before]! };
}

function nextMessage(client: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) =>
    client.once('message', (data: Buffer, isBinary) => resolve({ data, isBinary })),
  );
}

describe('ws client ↔ our server', () => {
  it('echoes text as text and binary as binary', async () => {
    const { client } = await open();
    client.send('héllo wörld');
    const text = await nextMessage(client);
    expect(text.isBinary).toBe(false);
    expect(text.data.toString()).toBe('héllo wörld');
    client.send(Buffer.from([0, 1, 2, 255]));
    const binary = await nextMessage(client);
    expect(binary.isBinary).toBe(true);
    expect(binary.data).toEqual(Buffer.from([0, 1, 2, 255]));
    client.close();
  });

  it('echoes an 8 MiB binary and a 2 MiB text message intact', async () => {
    const { client } = await open();
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i, i);
    client.send(big);
    expect((await nextMessage(client)).data.equals(big)).toBe(true);
    const text = 'ünïcode '.repeat(256 * 1024);
    client.send(text);
    expect((await nextMessage(client)).data.toString()).toBe(text);
    client.close();
  });

  it('joins a message the ws client sends in fragments (fin: false)', async () => {
    const { client, conn } = await open();
    const received = new Promise<[string | Buffer, boolean]>((resolve) =>
      conn.once('message', (data, isBinary) => resolve([data, isBinary])),
    );
    client.send('frag-', { fin: false });
    client.send('ment-', { fin: false });
    client.send('ed', { fin: true });
    expect(await received).toEqual(['frag-ment-ed', false]);
    expect((await nextMessage(client)).data.toString()).toBe('frag-ment-ed');
    client.close();
  });

  it('reports the close code and reason the client sends', async () => {
    const { client, conn } = await open();
    const serverSide = once(conn, 'close');
    const clientSide = once(client, 'close');
    client.close(4000, 'client says bye');
    expect(await serverSide).toEqual([4000, 'client says bye']);
    const [code] = await clientSide;
    expect(code).toBe(4000);
  });

  it('delivers the close code and reason the server sends', async () => {
    const { client, conn } = await open();
    const clientSide = once(client, 'close');
    const serverSide = once(conn, 'close');
    conn.close(4002, 'server says bye');
    const [code, reason] = await clientSide;
    expect(code).toBe(4002);
    expect(reason.toString()).toBe('server says bye');
    // The ws client echoes the code; the server reports it once TCP has closed.
    expect((await serverSide)[0]).toBe(4002);
    expect(conn.readyState).toBe('closed');
  });

  it('closes with 1001 to the client when the server shuts a connection for going away', async () => {
    const { client, conn } = await open();
    const clientSide = once(client, 'close');
    conn.close(1001);
    expect((await clientSide)[0]).toBe(1001);
  });

  it('answers the client ping with its payload, and gets pongs for its own pings', async () => {
    const { client, conn } = await open();
    client.ping(Buffer.from('are you there'));
    const [pong] = await once(client, 'pong');
    expect(pong.toString()).toBe('are you there');
    const serverPong = once(conn, 'pong');
    conn.ping(Buffer.from('and you?'));
    expect((await serverPong)[0].toString()).toBe('and you?');
    client.close();
  });

  it('agrees on a subprotocol and declines permessage-deflate', async () => {
    const { client, conn } = await open(['x.other', 'livedrop.v1']);
    expect(client.protocol).toBe('livedrop.v1');
    expect(conn.protocol).toBe('livedrop.v1');
    expect(client.extensions).toBe('');
    client.close();
  });

  it('is refused with 404 on another path', async () => {
    const client = new WebSocket(url.replace('/echo', '/nope'));
    // Aborting after an unexpected response makes the ws client report an error; expected here.
    client.on('error', () => {});
    const [, response] = await once(client, 'unexpected-response');
    expect(response.statusCode).toBe(404);
    // ws reports an abort during CONNECTING as an 'error'; it is expected here.
    client.on('error', () => {});
    client.terminate();
  });
});
