// The live feed (GET /api/events over WebSocket, with the `ws` client): a snapshot, then events.
// A dropped connection is reopened with `since` = the last seq seen, so nothing is missed (the
// server replays, or sends a fresh snapshot when those events are no longer held: docs/events.md).
import WebSocket from 'ws';
import type { LiveEvent, Snapshot } from '../server/events/event-types.js';
import { errorAnswer, type LivedropClient, unreachable } from './client.js';

export type FeedMessage = LiveEvent | Snapshot;

export interface FeedOptions {
  onMessage(message: FeedMessage): void;
  /** Told when the connection drops and when it is back. */
  onConnection?(connected: boolean): void;
}

export interface Feed {
  /** Settles once the first connection is open; rejects with a CliError if it cannot be opened. */
  opened: Promise<void>;
  close(): void;
}

const RECONNECT_DELAYS_MS = [250, 1000, 2000, 5000];

export function openFeed(client: LivedropClient, options: FeedOptions): Feed {
  let seq: number | undefined;
  let socket: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let resolveOpened!: () => void;
  let rejectOpened!: (error: Error) => void;
  let everOpened = false;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });

  function connect() {
    const url = new URL(client.url('/api/events'));
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (seq !== undefined) url.searchParams.set('since', String(seq));
    const ws = new WebSocket(url, { headers: client.headers() });
    socket = ws;
    ws.on('open', () => {
      attempt = 0;
      if (!everOpened) {
        everOpened = true;
        resolveOpened();
      } else options.onConnection?.(true);
    });
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as FeedMessage;
      seq = message.seq;
      options.onMessage(message);
    });
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      response.on('end', () => {
        const refusal = errorAnswer(
          response.statusCode ?? 0,
          undefined,
          body.trim() || response.statusMessage,
        );
        ws.terminate();
        if (!everOpened) {
          closed = true;
          rejectOpened(refusal);
        } else retry();
      });
    });
    ws.on('error', (error) => {
      if (!everOpened) {
        closed = true;
        rejectOpened(unreachable(client.server, { cause: error }));
      }
    });
    ws.on('close', () => {
      if (everOpened) retry();
    });
  }

  function retry() {
    if (closed || retryTimer) return;
    options.onConnection?.(false);
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt++, RECONNECT_DELAYS_MS.length - 1)]!;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!closed) connect();
    }, delay);
  }

  connect();
  return {
    opened,
    close() {
      closed = true;
      clearTimeout(retryTimer);
      socket?.removeAllListeners('close');
      socket?.on('error', () => {});
      socket?.close();
    },
  };
}
