// The Server-Sent Events feed: GET /api/events for clients that cannot use WebSocket (proxies that
// strip Upgrade, or `curl -N`). Framing per the HTML Standard §9.2 "Server-sent events": each event
// is an `id:` line (the seq, which EventSource sends back as Last-Event-ID on reconnect) and one
// `data:` line (our JSON has no raw newlines), ended by a blank line. Lines starting with ':' are
// comments: the keep-alive that stops proxies from timing out an idle stream.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { EncodedEvent } from './event-types.js';
import type { FeedAccessPolicy } from './feed-request.js';
import { isRefusal, readFeedRequest, refusalError } from './feed-request.js';
import type { WatcherSet } from './watcher-set.js';

/** How long the reconnecting EventSource waits, and how often an idle stream gets a comment. */
export const SSE_RETRY_MS = 2000;

export function frameSseEvent(event: EncodedEvent): Buffer {
  return Buffer.from(`id: ${event.seq}\ndata: ${event.json}\n\n`);
}

const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

export interface SseFeedOptions {
  access: FeedAccessPolicy;
  watchers: WatcherSet;
  keepAliveMs: number;
  /** How long a dropped watcher gets to read what was already sent, before its socket is destroyed. */
  dropGraceMs: number;
}

/** Registers GET /api/events (SSE) and returns the function that ends every stream (shutdown). */
export function registerSseFeed(app: FastifyInstance, options: SseFeedOptions): () => void {
  const open = new Set<ServerResponse>();
  let closing = false;

  const keepAlive = setInterval(() => {
    // Only idle streams need it: one with bytes still pending is evidently not idle.
    for (const res of open) if (res.writableLength === 0) res.write(KEEP_ALIVE);
  }, options.keepAliveMs).unref();

  app.get('/api/events', (request, reply) => {
    const feedRequest = readFeedRequest(request.raw, options.access);
    if (isRefusal(feedRequest)) throw refusalError(feedRequest);

    reply.hijack();
    const res = reply.raw;
    // The stream holds its connection to the end; afterwards it is closed rather than kept idle, so
    // an ended stream never keeps a shutting-down server waiting for the keep-alive timeout.
    res.shouldKeepAlive = false;
    // Headers earlier hooks (CORS) set on the reply would be lost with the hijack: carry them over.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) res.setHeader(name, value);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // nginx: pass events through instead of buffering the response
    });
    // RFC 9110 §9.3.2: a HEAD gets the stream's head and nothing more. Node ignores writes to a HEAD
    // response, so without this end() not even the head would be sent: the request would hang.
    if (request.method === 'HEAD') {
      res.end();
      return reply;
    }
    res.write(`retry: ${SSE_RETRY_MS}\n\n`);
    // A stream opened while the server shuts down ends at once: EventSource retries after SSE_RETRY_MS.
    if (closing) {
      res.end();
      return reply;
    }
    open.add(res);

    const queue = options.watchers.join(
      {
        get bufferedAmount() {
          return res.writableLength;
        },
        write: (payload) => res.write(payload),
        dropTooSlow: (reason) => {
          open.delete(res);
          // SSE has no close code; the comment says why, and EventSource reconnects with Last-Event-ID.
          res.end(`: closed: ${reason}\n\n`);
          setTimeout(() => res.destroy(), options.dropGraceMs).unref();
        },
      },
      feedRequest.since,
    );
    res.on('drain', () => queue.flush());
    res.on('close', () => {
      open.delete(res);
      options.watchers.leave(queue);
    });
    return reply;
  });

  return () => {
    closing = true;
    clearInterval(keepAlive);
    for (const res of open) res.end();
    open.clear();
  };
}
