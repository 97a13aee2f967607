// A watcher that gets stuck: a raw TCP socket that completes the WebSocket handshake on /api/events
// and then never reads again, so it never answers a ping or a close frame either.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Completes the handshake, then stops reading for good. */
export function openStuckWatcher(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('error', () => {}); // being reset is one way of being dropped
    socket.once('data', (head: Buffer) => {
      socket.pause();
      if (head.toString('latin1').startsWith('HTTP/1.1 101 ')) resolve(socket);
      else reject(new Error(`handshake refused: ${head.toString('latin1').split('\r\n')[0]}`));
    });
  });
}
