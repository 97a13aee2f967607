// The ws:chat room with several real `ws` clients: announcements, fan-out to the others only,
// and removal of peers that vanish or stop answering pings.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startChatServer } from '../../server/ws/chat-server.js';
import type { RunningServer } from '../../server/ws/demo-server.js';
import { RawClient } from '../conformance/raw-client.js';

interface Peer {
  socket: WebSocket;
  inbox: Record<string, unknown>[];
}

let chat: RunningServer;
beforeAll(async () => {
  chat = await startChatServer(0, '127.0.0.1', 200);
});
afterAll(() => chat.close());

async function join(): Promise<Peer> {
  const socket = new WebSocket(chat.url);
  const inbox: Record<string, unknown>[] = [];
  socket.on('message', (data) => inbox.push(JSON.parse(data.toString())));
  await once(socket, 'open');
  await vi.waitFor(() => expect(inbox[0]?.type).toBe('welcome'));
  return { socket, inbox };
}

const ofType = (peer: Peer, type: string) => peer.inbox.filter((m) => m.type === type);

describe('ws:chat', () => {
  it('welcomes, announces joins, sends messages to every other client, and announces leaves', async () => {
    const alice = await join();
    const bob = await join();
    const carol = await join();
    const [aliceName, bobName, carolName] = [alice, bob, carol].map((p) => p.inbox[0]!.user);
    expect(carol.inbox[0]!.users).toEqual([aliceName, bobName]);
    await vi.waitFor(() => expect(ofType(alice, 'join').map((m) => m.user)).toEqual([bobName, carolName]));

    bob.socket.send('hello room');
    const expected = { type: 'message', user: bobName, text: 'hello room' };
    await vi.waitFor(() => {
      expect(ofType(alice, 'message')).toEqual([expected]);
      expect(ofType(carol, 'message')).toEqual([expected]);
    });
    expect(ofType(bob, 'message')).toEqual([]);

    bob.socket.close();
    await vi.waitFor(() => {
      expect(ofType(alice, 'leave')).toEqual([{ type: 'leave', user: bobName }]);
      expect(ofType(carol, 'leave')).toEqual([{ type: 'leave', user: bobName }]);
    });
    alice.socket.close();
    carol.socket.close();
  });

  it('removes a client whose socket is destroyed without a close handshake', async () => {
    const watcher = await join();
    const vanishing = await join();
    const name = vanishing.inbox[0]!.user;
    vanishing.socket.terminate();
    await vi.waitFor(() => expect(ofType(watcher, 'leave')).toContainEqual({ type: 'leave', user: name }));
    watcher.socket.close();
  });

  it('terminates a peer that stops answering pings and announces it as gone', async () => {
    const watcher = await join();
    const silent = await RawClient.connect(chat.url);
    silent.answerPings = false;
    await vi.waitFor(() => expect(ofType(watcher, 'join')).toHaveLength(1));
    const name = ofType(watcher, 'join')[0]!.user;
    await vi.waitFor(() => expect(ofType(watcher, 'leave')).toContainEqual({ type: 'leave', user: name }), {
      timeout: 2000,
    });
    await silent.waitFor(() => silent.tcpClosed, 1000);
    expect(silent.tcpClosed).toBe(true);
    watcher.socket.close();
  });

  it('closes with 1003 when a client sends binary', async () => {
    const peer = await join();
    const closed = once(peer.socket, 'close');
    peer.socket.send(Buffer.from([1, 2, 3]));
    expect((await closed)[0]).toBe(1003);
  });
});
