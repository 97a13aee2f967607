// The shell shared by the ws:echo and ws:chat servers: a plain HTTP server that answers 426 to
// anything but a WebSocket handshake, with the core attached on `/`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachWebSocketServer, type WebSocketServerOptions } from './websocket-server.js';

export interface RunningServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on `port` (0 picks a free one); `name` is what a plain HTTP visitor is told this is. */
export async function startDemoServer(
  name: string,
  options: Omit<WebSocketServerOptions, 'path'>,
  port: number,
  host: string,
): Promise<RunningServer> {
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end(`${name}: connect with ws://\n`);
  });
  const wss = attachWebSocketServer(server, { ...options, path: '/' });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    port: actual,
    url: `ws://${host}:${actual}/`,
    async close() {
      await wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
