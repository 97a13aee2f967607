// One dashboard's worth of load: a `ws` client on livedrop's live feed (GET /api/events), reading
// every event as the web UI would (JSON.parse). livedrop's default target runs with one connected.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { HOST } from './server-process.js';

export interface Watcher {
  events(): number;
  close(): void;
}

/** Connects, or returns why it could not (e.g. the feed is not on this branch yet). */
export async function connectWatcher(port: number): Promise<Watcher | string> {
  const socket = new WebSocket(`ws://${HOST}:${port}/api/events`, { perMessageDeflate: false });
  let events = 0;
  socket.on('message', (data) => {
    JSON.parse(data.toString());
    events++;
  });
  try {
    await Promise.race([
      once(socket, 'open'),
      once(socket, 'unexpected-response').then(([, res]) => {
        throw new Error(`GET /api/events answered ${(res as { statusCode?: number }).statusCode}`);
      }),
    ]);
  } catch (error) {
    socket.terminate();
    return `no watcher: ${(error as Error).message}`;
  }
  socket.on('error', () => {});
  return { events: () => events, close: () => socket.close() };
}
