// `npm run ws:echo -- --port N`: an echo server on the core (every message comes back as it came,
// 64 MiB message limit), the peer of the conformance suite and the benchmarks.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { WebSocketConnection } from './connection.js';
import { type RunningServer, startDemoServer } from './demo-server.js';

const ECHO_MAX_PAYLOAD = 64 * 1024 * 1024;

function echo(connection: WebSocketConnection): void {
  connection.on('message', (data) => {
    // Behind a slow reader, stop reading until our echoes have drained.
    if (!connection.send(data)) connection.pauseReading();
  });
  connection.on('drain', () => connection.resumeReading());
}

/** Starts the echo server on `/` (other paths: 404); `port` 0 picks a free port. */
export async function startEchoServer(port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  return startDemoServer(
    'WebSocket echo server',
    { maxPayload: ECHO_MAX_PAYLOAD, onConnection: echo },
    port,
    host,
  );
}

/** `--port N` (default 9001) and `--host H` (default 127.0.0.1) from the command line. */
function parseListenArgs(argv: readonly string[]): { port: number; host: string } {
  const { values } = parseArgs({
    args: [...argv],
    options: { port: { type: 'string', default: '9001' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new RangeError(`--port ${values.port} is not a port`);
  return { port, host: values.host };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { port, host } = parseListenArgs(process.argv.slice(2));
  const running = await startEchoServer(port, host);
  console.log(`ws:echo listening on ${running.url}`);
}
