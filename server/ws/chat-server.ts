// `npm run ws:chat -- --port N [--heartbeat MS]`: a chat room on the core. Each peer is "guest-N";
// a text message goes to every *other* peer, joins and leaves are announced, and peers that stop
// answering heartbeat pings are terminated (and announced as gone). All messages are JSON:
//   {"type":"welcome","user":"guest-2","users":["guest-1"]}   to the newcomer
//   {"type":"join","user":"guest-2"}                          to the others
//   {"type":"message","user":"guest-2","text":"hi"}           to everyone but the sender
//   {"type":"leave","user":"guest-2"}                          to the others
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { broadcast } from './broadcast.js';
import type { WebSocketConnection } from './connection.js';
import { CloseCode } from './constants.js';
import { type RunningServer, startDemoServer } from './demo-server.js';

function* everyoneBut(room: Map<WebSocketConnection, string>, sender: WebSocketConnection) {
  for (const peer of room.keys()) if (peer !== sender) yield peer;
}

export async function startChatServer(
  port = 0,
  host = '127.0.0.1',
  heartbeatIntervalMs = 30_000,
): Promise<RunningServer> {
  const room = new Map<WebSocketConnection, string>();
  let joined = 0;

  function join(connection: WebSocketConnection): void {
    const user = `guest-${++joined}`;
    connection.send(JSON.stringify({ type: 'welcome', user, users: [...room.values()] }));
    broadcast(room.keys(), JSON.stringify({ type: 'join', user }));
    room.set(connection, user);
    connection.on('message', (data, isBinary) => {
      if (isBinary) {
        connection.close(CloseCode.UnsupportedData, 'This room speaks text');
        return;
      }
      broadcast(everyoneBut(room, connection), JSON.stringify({ type: 'message', user, text: data }));
    });
    // 'close' fires however the peer went: close handshake, reset, or heartbeat termination.
    connection.on('close', () => {
      room.delete(connection);
      broadcast(room.keys(), JSON.stringify({ type: 'leave', user }));
    });
  }

  return startDemoServer('WebSocket chat server', { heartbeatIntervalMs, onConnection: join }, port, host);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9002' },
      host: { type: 'string', default: '127.0.0.1' },
      heartbeat: { type: 'string', default: '30000' },
    },
  });
  const running = await startChatServer(Number(values.port), values.host, Number(values.heartbeat));
  console.log(`ws:chat listening on ${running.url}`);
}
