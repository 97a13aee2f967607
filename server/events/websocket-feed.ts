// The WebSocket feed: GET /api/events with Upgrade, on livedrop's own RFC 6455 core, attached to the
// same HTTP server (and port) as the API. The handshake refuses a disallowed Origin (403) or a
// missing token (401) before accepting; after that the server only talks: a watcher's messages are
// ignored (and capped small), heartbeat pings cull dead peers, and a watcher that cannot keep up is
// closed with 1008 by its queue's policy.
import type { Server } from 'node:http';
import { attachWebSocketServer, CloseCode, encodeFrame, Opcode, type WebSocketServer } from '../ws/index.js';
import type { EncodedEvent } from './event-types.js';
import { type FeedAccessPolicy, isRefusal, readFeedRequest, refusalError } from './feed-request.js';
import type { SlowWatcherPolicy } from './watcher-queue.js';
import type { WatcherSet } from './watcher-set.js';

export function frameWebSocketEvent(event: EncodedEvent): Buffer {
  return encodeFrame(Opcode.Text, event.json);
}

export interface WebSocketFeedOptions {
  access: FeedAccessPolicy;
  watchers: WatcherSet;
  policy: SlowWatcherPolicy;
  heartbeatIntervalMs: number;
  /** How long a closing watcher gets to answer the close frame before its socket is destroyed. */
  closeTimeoutMs?: number;
}

/** Watchers send nothing we read; this only bounds what a misbehaving one can make us buffer. */
const MAX_INBOUND_MESSAGE = 4096;

export function attachWebSocketFeed(server: Server, options: WebSocketFeedOptions): WebSocketServer {
  const { access, watchers } = options;
  return attachWebSocketServer(server, {
    path: '/api/events',
    // The same checks as SSE and long-poll (origin → 403, token → 401, `since` → 400), made in
    // the handshake, before the upgrade is accepted.
    authorize(req) {
      const feedRequest = readFeedRequest(req, access);
      if (!isRefusal(feedRequest)) return undefined;
      const error = refusalError(feedRequest);
      return { status: error.statusCode ?? 400, message: error.message };
    },
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    closeTimeoutMs: options.closeTimeoutMs,
    maxPayload: MAX_INBOUND_MESSAGE,
    // The core reports 'drain' once a send went past this mark: the queue's cue to flush.
    sendHighWaterMark: options.policy.highWaterBytes,
    onConnection(conn, req) {
      const feedRequest = readFeedRequest(req, access);
      const since = isRefusal(feedRequest) ? undefined : feedRequest.since;
      const queue = watchers.join(
        {
          get bufferedAmount() {
            return conn.bufferedAmount;
          },
          write: (frame) => conn.sendFrame(frame),
          // RFC 6455 §7.4.1: 1008 "policy violation"; the reason is for whoever reads the logs.
          dropTooSlow: (reason) => conn.close(CloseCode.PolicyViolation, `too slow: ${reason}`.slice(0, 123)),
        },
        since,
      );
      conn.on('drain', () => queue.flush());
      conn.on('close', () => watchers.leave(queue));
      conn.on('error', () => {}); // protocol errors close the connection; 'close' cleans up
    },
  });
}
