// The soak's watchers: WebSocket clients that hold the live feed open for the whole run. A few read
// every event (seq must only rise; the first one notes every upload announced as completed); the
// rest only count messages, so 500 of them stay cheap for the client. A close the soak did not ask
// for is a failure: the server dropped a watcher that was keeping up. Stuck watchers are the opposite:
// raw sockets that stop reading after the handshake, which the server must drop.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';

interface FeedEvent {
  seq: number;
  type: string;
  upload?: { id: string };
  /** In a snapshot. */
  watchers?: number;
  /** In a `watchers` event. */
  count?: number;
}

export interface Watchers {
  messages: number;
  unexpectedCloses: number;
  outOfOrder: number;
  /** Uploads the first watcher saw completed. */
  announced: Set<string>;
  /** The presence count the first watcher saw last (its snapshot's, then each `watchers` event's). */
  presence: number;
  close(): Promise<void>;
}

/** Opens `count` watchers on the feed at `url`; `fail` hears every unexpected close or error. */
export async function openWatchers(
  url: string,
  count: number,
  fail: (what: string) => void,
): Promise<Watchers> {
  const state = {
    messages: 0,
    unexpectedCloses: 0,
    outOfOrder: 0,
    announced: new Set<string>(),
    presence: 0,
  };
  let closing = false;
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const ws = new WebSocket(url);
      // A few watchers read every event and check that seq only rises; the rest only count.
      const checks = i < 10;
      let lastSeq = -1;
      ws.on('message', (data: Buffer) => {
        state.messages++;
        if (!checks) return;
        const event = JSON.parse(data.toString()) as FeedEvent;
        if (event.seq <= lastSeq) state.outOfOrder++;
        lastSeq = event.seq;
        if (i > 0) return;
        if (event.type === 'upload.completed' && event.upload) state.announced.add(event.upload.id);
        if (event.type === 'snapshot' || event.type === 'watchers')
          state.presence = event.watchers ?? event.count ?? 0;
      });
      ws.on('close', (code) => {
        if (!closing) {
          state.unexpectedCloses++;
          fail(`watcher closed by the server with ${code}`);
        }
      });
      ws.on('error', (error) => fail(`watcher error: ${error.message}`));
      await new Promise((resolve) => ws.once('open', resolve).once('error', resolve));
      return ws;
    }),
  );
  return Object.assign(state, {
    async close() {
      closing = true;
      await Promise.all(
        sockets.map((ws) =>
          ws.readyState === WebSocket.CLOSED
            ? undefined
            : new Promise((resolve) => ws.once('close', resolve).close(1000)),
        ),
      );
    },
  });
}

/** A watcher that gets stuck: completes the handshake, then never reads again (nor answers a ping). */
export function openStuckWatcher(host: string, port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, host, () => {
      socket.write(
        `GET /api/events HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('error', () => {}); // the server dropping it is the point
    socket.once('data', () => {
      socket.pause();
      resolve(socket);
    });
  });
}
