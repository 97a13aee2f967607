// The comparison peer: an echo server on the `ws` library, configured like ws:echo (64 MiB limit,
// no compression), so both cores meet the same cases.
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import type { RunningServer } from '../../server/ws/demo-server.js';

export async function startWsEchoServer(port = 0): Promise<RunningServer> {
  const wss = new WebSocketServer({
    port,
    host: '127.0.0.1',
    maxPayload: 64 * 1024 * 1024,
    perMessageDeflate: false,
  });
  wss.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port: actual } = wss.address() as AddressInfo;
  return {
    port: actual,
    url: `ws://127.0.0.1:${actual}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

// `npx tsx test/conformance/reference-server.ts [port]`: the same server as a process of its own
// (the benchmarks run each server in a child process).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await startWsEchoServer(Number(process.argv[2] ?? 0));
  console.log(`ws reference echo listening on ${running.url}`);
}
