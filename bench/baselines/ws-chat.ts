// Baseline chat room on the `ws` package, with the semantics and the very messages of `npm run ws:chat`
// (server/ws/chat-server.ts): each peer is "guest-N"; a text message goes to every OTHER peer; joins
// and leaves are announced to the others; all messages are JSON. Usage: --port N (env HOST).
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const server = new WebSocketServer({
  port: Number(values.port),
  host: process.env.HOST ?? '127.0.0.1',
  perMessageDeflate: false,
});
const room = new Map<WebSocket, string>();

/** Encodes the JSON once, as a careful `ws` user would, and hands the same buffer to every other peer. */
function toOthers(from: WebSocket | null, message: object): void {
  const data = Buffer.from(JSON.stringify(message));
  for (const peer of room.keys()) {
    if (peer !== from && peer.readyState === WebSocket.OPEN) peer.send(data, { binary: false });
  }
}

let joined = 0;
server.on('connection', (socket) => {
  const user = `guest-${++joined}`;
  socket.send(JSON.stringify({ type: 'welcome', user, users: [...room.values()] }));
  toOthers(null, { type: 'join', user });
  room.set(socket, user);
  socket.on('message', (data, isBinary) => {
    if (isBinary) socket.close(1003, 'This room speaks text');
    else toOthers(socket, { type: 'message', user, text: data.toString() });
  });
  socket.on('close', () => {
    room.delete(socket);
    toOthers(null, { type: 'leave', user });
  });
  socket.on('error', () => {});
});
process.on('SIGTERM', () => process.exit(0));
