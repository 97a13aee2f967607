// One message to many peers: the frame is encoded once and the same bytes are written to every
// open connection (a server frame is unmasked, so it is identical for all of them, RFC 6455 §5.1).
import type { WebSocketConnection } from './connection.js';
import { Opcode } from './constants.js';
import { encodeFrame } from './sender.js';

export function broadcast(connections: Iterable<WebSocketConnection>, data: string | Buffer): void {
  const frame = encodeFrame(typeof data === 'string' ? Opcode.Text : Opcode.Binary, data);
  for (const connection of connections) {
    if (connection.readyState === 'open') connection.sendFrame(frame);
  }
}
