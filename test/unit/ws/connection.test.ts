import { createServer, type Server } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  attachWebSocketServer,
  broadcast,
  type WebSocketConnection,
  type WebSocketServer,
  type WebSocketServerOptions,
} from '../../../server/ws/index.js';
import { clientFrame, closePayload } from '../../conformance/client-frames.js';
import { RawClient } from '../../conformance/raw-client.js';

let server: Server | undefined;
let wss: WebSocketServer | undefined;
const clients: RawClient[] = [];

/** Starts a server on a free port; `connections` fills as peers are accepted. */
async function start(options: Partial<WebSocketServerOptions> = {}) {
  const connections: WebSocketConnection[] = [];
  // Plain requests (and upgrades once the WebSocket server has detached) get this answer.
  server = createServer((_req, res) => res.writeHead(426).end());
  wss = attachWebSocketServer(server, {
    path: '/',
    onConnection: (conn) => connections.push(conn),
    ...options,
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const connect = async () => {
    const client = await RawClient.connect(url);
    clients.push(client);
    await vi.waitFor(() => expect(connections.length).toBeGreaterThan(0));
    return client;
  };
  return { connections, connect, url };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await wss?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  wss = undefined;
});

const nextEvent = <T extends unknown[]>(
  conn: WebSocketConnection,
  event: 'close' | 'message' | 'drain' | 'error',
) => new Promise<T>((resolve) => conn.once(event, (...args: unknown[]) => resolve(args as T)));

describe('WebSocketConnection', () => {
  it('sends text for strings and binary for Buffers', async () => {
    const { connections, connect } = await start();
    const client = await connect();
    const conn = connections[0]!;
    expect(conn.readyState).toBe('open');
    expect(conn.send('héllo')).toBe(true);
    conn.send(Buffer.from([1, 2, 3]));
    conn.send(Buffer.alloc(100_000, 7));
    await client.waitFor(() => client.messages.length === 3, 2000);
    expect(client.messages.map((m) => m.kind)).toEqual(['text', 'binary', 'binary']);
    expect(client.messages[0]!.data.toString()).toBe('héllo');
    expect(client.messages[2]!.data).toEqual(Buffer.alloc(100_000, 7));
  });

  it('runs the close handshake it starts: code and reason out, the peer reply in, then TCP closes', async () => {
    const { connections, connect } = await start();
    const client = await connect();
    const conn = connections[0]!;
    const closed = nextEvent<[number, string]>(conn, 'close');
    conn.close(4001, 'done');
    expect(conn.readyState).toBe('closing');
    expect(conn.send('too late')).toBe(false);
    // The raw client echoes the close code, as a well-behaved peer does.
    expect(await closed).toEqual([4001, '']);
    expect(client.closeCode).toBe(4001);
    expect(conn.readyState).toBe('closed');
    await client.waitFor(() => client.tcpClosed, 1000);
    expect(client.tcpClosed).toBe(true);
  });

  it('reports the peer close code and reason and removes the connection from clients', async () => {
    const { connections, connect } = await start();
    const client = await connect();
    const conn = connections[0]!;
    expect(wss!.clients.has(conn)).toBe(true);
    const closed = nextEvent<[number, string]>(conn, 'close');
    client.sendClose(closePayload(3008, 'see you'));
    expect(await closed).toEqual([3008, 'see you']);
    expect(wss!.clients.has(conn)).toBe(false);
  });

  it('destroys a peer that never answers its close frame after closeTimeoutMs (1006)', async () => {
    const { connections, connect } = await start({ closeTimeoutMs: 100 });
    const client = await connect();
    client.closeSent = true; // play a peer that will not answer the close
    const closed = nextEvent<[number, string]>(connections[0]!, 'close');
    connections[0]!.close();
    expect(await closed).toEqual([1006, '']);
    await client.waitFor(() => client.tcpClosed, 1000);
    expect(client.tcpClosed).toBe(true);
  });

  it("emits 'error' with the close code on a protocol error, and never throws without a listener", async () => {
    const { connections, connect } = await start();
    const withListener = await connect();
    const errors: Error[] = [];
    connections[0]!.on('error', (error) => errors.push(error));
    await withListener.send(clientFrame({ opcode: 0x3 }));
    await withListener.waitFor(() => withListener.closeCode !== undefined, 1000);
    expect(withListener.closeCode).toBe(1002);
    expect(errors[0]).toMatchObject({ code: 'WS_ERR_INVALID_OPCODE', closeCode: 1002 });

    const silent = await connect();
    await silent.send(clientFrame({ opcode: 0x1, payload: 'x', masked: false }));
    await silent.waitFor(() => silent.closeCode !== undefined, 1000);
    expect(silent.closeCode).toBe(1002);
  });

  it('survives random bytes after the handshake: the peer is closed, the server keeps serving', async () => {
    const { connections, connect } = await start();
    const noisy = await connect();
    const garbage = Buffer.alloc(10_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) & 0xff;
    await noisy.send(garbage);
    await noisy.waitFor(() => noisy.tcpClosed, 2000);
    expect(noisy.tcpClosed).toBe(true);
    await vi.waitFor(() => expect(connections[0]!.readyState).toBe('closed'));
    const next = await RawClient.connect(noisy.url);
    clients.push(next);
    await next.send(clientFrame({ opcode: 0x9, payload: 'still here?' }));
    await next.waitFor(() => next.messages.length === 1, 1000);
    expect(next.messages[0]).toEqual({ kind: 'pong', data: Buffer.from('still here?') });
  });

  it('closes with 1009 when a message announces more than maxPayload', async () => {
    const { connect } = await start({ maxPayload: 1000 });
    const client = await connect();
    // Only the header: the limit is enforced before the payload arrives.
    await client.send(clientFrame({ opcode: 0x2, payload: Buffer.alloc(1001) }).subarray(0, 8));
    await client.waitFor(() => client.closeCode !== undefined, 1000);
    expect(client.closeCode).toBe(1009);
  });

  it('closes with 1011 when onConnection throws, and keeps serving', async () => {
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { url } = await start({
      onConnection: () => {
        throw new Error('app bug');
      },
    });
    const client = await RawClient.connect(url);
    clients.push(client);
    await client.waitFor(() => client.closeCode !== undefined, 1000);
    expect(client.closeCode).toBe(1011);
    expect(warning).toHaveBeenCalled();
    warning.mockRestore();
  });

  it('returns false from send() above the high-water mark, pauses, and emits drain once flushed', async () => {
    const { connections, connect } = await start({ sendHighWaterMark: 16 * 1024 });
    const client = await connect();
    client.pauseReading();
    const conn = connections[0]!;
    const chunk = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    while (conn.send(chunk)) sent++;
    expect(sent).toBeLessThan(64);
    expect(conn.bufferedAmount).toBeGreaterThan(16 * 1024);
    const drained = nextEvent(conn, 'drain');
    client.resumeReading();
    await drained;
    expect(conn.bufferedAmount).toBe(0);
    await client.waitFor(() => client.messages.length === sent + 1, 5000);
    expect(client.messages).toHaveLength(sent + 1);
  });

  it('delivers nothing while reading is paused, then everything in order', async () => {
    const { connections, connect } = await start();
    const client = await connect();
    const conn = connections[0]!;
    const received: string[] = [];
    conn.on('message', (data) => received.push(data as string));
    conn.pauseReading();
    await client.send(
      Buffer.concat([clientFrame({ opcode: 0x1, payload: 'a' }), clientFrame({ opcode: 0x1, payload: 'b' })]),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([]);
    conn.resumeReading();
    await vi.waitFor(() => expect(received).toEqual(['a', 'b']));
  });

  it('heartbeat: terminates a peer that stops answering pings, keeps one that answers', async () => {
    const { connections, connect } = await start({ heartbeatIntervalMs: 150 });
    const alive = await connect();
    const dead = await connect();
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    dead.answerPings = false;
    const deadClosed = nextEvent<[number]>(connections[1]!, 'close');
    expect((await deadClosed)[0]).toBe(1006);
    expect(dead.pings).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(alive.tcpClosed).toBe(false);
    expect(alive.pings).toBeGreaterThan(1);
    expect(wss!.clients.size).toBe(1);
  });
});

describe('broadcast and server close', () => {
  it('encodes once and writes the same bytes to every open connection', async () => {
    const { connections, connect } = await start();
    const peers = [await connect(), await connect(), await connect()];
    await vi.waitFor(() => expect(connections).toHaveLength(3));
    const spies = connections.map((conn) => vi.spyOn(conn, 'sendFrame'));
    broadcast(connections, 'to all');
    const frames = spies.map((spy) => spy.mock.calls[0]![0]);
    expect(frames[1]).toBe(frames[0]);
    expect(frames[2]).toBe(frames[0]);
    for (const peer of peers) await peer.waitFor(() => peer.messages.length === 1, 1000);
    expect(peers.map((p) => p.messages[0]!.data.toString())).toEqual(['to all', 'to all', 'to all']);
  });

  it('sends the frames broadcast in one tick to each socket in one writev, in order', async () => {
    const { connections, connect } = await start();
    const peers = [await connect(), await connect()];
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    const write = vi.spyOn(Socket.prototype, '_write');
    const writev = vi.spyOn(Socket.prototype, '_writev');
    try {
      for (const text of ['one', 'two', 'three']) broadcast(connections, text);
      await new Promise((resolve) => setImmediate(resolve));
      expect(write).not.toHaveBeenCalled();
      expect(writev.mock.calls.map(([chunks]) => chunks.length)).toEqual([3, 3]);
    } finally {
      write.mockRestore();
      writev.mockRestore();
    }
    for (const peer of peers) await peer.waitFor(() => peer.messages.length === 3, 1000);
    expect(peers.map((p) => p.messages.map((m) => m.data.toString()))).toEqual([
      ['one', 'two', 'three'],
      ['one', 'two', 'three'],
    ]);
  });

  it('close() sends 1001 to every client, waits for them, and stops accepting upgrades', async () => {
    const { connections, connect, url } = await start();
    const peers = [await connect(), await connect()];
    await vi.waitFor(() => expect(connections).toHaveLength(2));
    await wss!.close();
    expect(peers.map((p) => p.closeCode)).toEqual([1001, 1001]);
    expect(connections.map((c) => c.readyState)).toEqual(['closed', 'closed']);
    expect(wss!.clients.size).toBe(0);
    await expect(RawClient.connect(url)).rejects.toThrow(/426/);
  });
});
