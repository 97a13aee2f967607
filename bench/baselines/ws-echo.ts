// Baseline WebSocket echo server on the `ws` package, the counterpart of `npm run ws:echo`: text back
// as text, binary as binary, 64 MiB max message, no permessage-deflate. Usage: --port N (env HOST).
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const server = new WebSocketServer({
  port: Number(values.port),
  host: process.env.HOST ?? '127.0.0.1',
  maxPayload: 64 * 1024 ** 2,
  perMessageDeflate: false,
});
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
process.on('SIGTERM', () => process.exit(0));
