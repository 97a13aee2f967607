// attachWebSocketServer: serves WebSocket upgrades for one path of an existing http.Server.
// Options are validated once, up front; the server keeps the set of open connections, runs the
// heartbeat and closes everyone on close().
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionSettings, WebSocketConnection } from './connection.js';
import {
  CloseCode,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_PAYLOAD,
  DEFAULT_SEND_HIGH_WATER_MARK,
} from './constants.js';
import { acceptResponse, evaluateHandshake, type OriginPolicy, refuseUpgrade } from './handshake.js';

export interface WebSocketServerOptions {
  /** Exact URL pathname served (a query string is allowed and ignored); other paths get 404. */
  path: string;
  /** Allowed Origin values, '*' (default), or a predicate. A request without Origin passes a list. */
  origins?: OriginPolicy;
  /** Return a status and message to refuse the upgrade (e.g. 401), undefined to accept. */
  authorize?(req: IncomingMessage): { status: number; message: string } | undefined;
  /** Largest message in bytes (default 16 MiB); a bigger one closes the connection with 1009. */
  maxPayload?: number;
  /** Ping interval (default 30 s); a peer that has not answered the previous ping is terminated. 0 = off. */
  heartbeatIntervalMs?: number;
  /** After sending a close frame, destroy the socket if the handshake is not done by then (default 5 s). */
  closeTimeoutMs?: number;
  /** Subprotocols the server supports; the first of the client's list that matches is chosen. */
  protocols?: readonly string[];
  /** send() returns false and reading pauses above this many buffered bytes (default 1 MiB, min 16 KiB). */
  sendHighWaterMark?: number;
  onConnection(conn: WebSocketConnection, req: IncomingMessage): void;
}

export interface WebSocketServer {
  readonly clients: ReadonlySet<WebSocketConnection>;
  /**
   * Stops accepting upgrades, sends a close frame (default 1001 Going Away) to every client and
   * resolves once all are closed (at most closeTimeoutMs later).
   */
  close(code?: number, reason?: string): Promise<void>;
}

function requireNumber(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`WebSocket server option ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function pathnameOf(url: string | undefined): string {
  const target = url ?? '';
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function ignoreHandshakeError(): void {
  // A peer that resets mid-handshake only loses its own connection.
}

export function attachWebSocketServer(server: Server, options: WebSocketServerOptions): WebSocketServer {
  if (typeof options.path !== 'string' || !options.path.startsWith('/')) {
    throw new TypeError(`WebSocket server option path must start with "/", got ${String(options.path)}`);
  }
  if (typeof options.onConnection !== 'function') {
    throw new TypeError('WebSocket server option onConnection must be a function');
  }
  const path = options.path;
  const policy = {
    origins: options.origins ?? '*',
    authorize: options.authorize?.bind(options),
    protocols: options.protocols ?? [],
  };
  const clients = new Set<WebSocketConnection>();
  const settings: ConnectionSettings = {
    maxPayload: requireNumber('maxPayload', options.maxPayload ?? DEFAULT_MAX_PAYLOAD, 1),
    closeTimeoutMs: requireNumber('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS, 1),
    sendHighWaterMark: requireNumber(
      'sendHighWaterMark',
      options.sendHighWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK,
      16 * 1024,
    ),
    clients,
  };
  const heartbeatIntervalMs = requireNumber(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    0,
  );

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', ignoreHandshakeError);
    if (pathnameOf(req.url) !== path) {
      refuseUpgrade(socket, 404, 'No WebSocket endpoint here');
      return;
    }
    const verdict = evaluateHandshake(req, policy);
    if (!verdict.accepted) {
      refuseUpgrade(socket, verdict.status, verdict.message, verdict.headers);
      return;
    }
    if (!socket.writable || !socket.readable) {
      socket.destroy();
      return;
    }
    socket.write(acceptResponse(verdict.key, verdict.protocol));
    socket.removeListener('error', ignoreHandshakeError);
    const connection = new WebSocketConnection(socket as Socket, head, settings, verdict.protocol);
    clients.add(connection);
    try {
      options.onConnection(connection, req);
    } catch (error) {
      // The application's handler failed: the peer gets 1011 and the process keeps running.
      process.emitWarning(error instanceof Error ? error : new Error(String(error)));
      connection.close(CloseCode.InternalError);
    }
  }

  server.on('upgrade', onUpgrade);
  const heartbeat =
    heartbeatIntervalMs > 0
      ? setInterval(() => {
          for (const connection of clients) connection.heartbeat();
        }, heartbeatIntervalMs).unref()
      : undefined;

  return {
    clients,
    async close(code: number = CloseCode.GoingAway, reason = ''): Promise<void> {
      server.removeListener('upgrade', onUpgrade);
      clearInterval(heartbeat);
      await Promise.all(
        [...clients].map(
          (connection) =>
            new Promise<void>((resolve) => {
              connection.once('close', () => resolve());
              connection.close(code, reason);
            }),
        ),
      );
    },
  };
}
