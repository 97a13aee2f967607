// Baseline chat room on the `ws` package, with the semantics of `npm run ws:chat`: every text message
// goes to every OTHER client; joins and leaves are announced to the others. Usage: --port N (env HOST).
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const server = new WebSocketServer({
  port: Number(values.port),
  host: process.env.HOST ?? '127.0.0.1',
  perMessageDeflate: false,
});

let nextId = 1;
/** Encodes the text once, as a careful `ws` user would, and hands the same buffer to every other client. */
function toOthers(from: WebSocket, text: string): void {
  const data = Buffer.from(text);
  for (const client of server.clients) {
    if (client !== from && client.readyState === WebSocket.OPEN) client.send(data, { binary: false });
  }
}

server.on('connection', (socket) => {
  const name = `user${nextId++}`;
  toOthers(socket, `${name} joined`);
  socket.on('message', (data, isBinary) => {
    if (!isBinary) toOthers(socket, `${name}: ${data.toString()}`);
  });
  socket.on('close', () => toOthers(socket, `${name} left`));
});
process.on('SIGTERM', () => process.exit(0));
