// Many `ws` clients at once, for the WebSocket benchmarks. Handshakes go out in batches (a listen
// backlog overflows otherwise and SYN retries add whole seconds), and from several loopback source
// addresses so that thousands of connections never run out of ephemeral ports.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { HOST } from './server-process.js';

const SOURCE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

export async function openClients(port: number, count: number, batch = 200): Promise<WebSocket[]> {
  const clients: WebSocket[] = [];
  for (let start = 0; start < count; start += batch) {
    const opening = Array.from({ length: Math.min(batch, count - start) }, (_, i) => {
      const socket = new WebSocket(`ws://${HOST}:${port}/`, {
        perMessageDeflate: false,
        localAddress: SOURCE_ADDRESSES[(start + i) % SOURCE_ADDRESSES.length],
      });
      socket.on('error', () => {});
      clients.push(socket);
      return once(socket, 'open');
    });
    await Promise.all(opening);
  }
  return clients;
}

export async function closeClients(clients: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    clients.map((socket) => {
      if (socket.readyState === WebSocket.CLOSED) return undefined;
      const closed = once(socket, 'close');
      socket.terminate();
      return closed;
    }),
  );
}
