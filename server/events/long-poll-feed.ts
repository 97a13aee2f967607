// The long-poll feed, the last resort when neither WebSocket nor a streaming response gets through:
// GET /api/events/poll?since=SEQ&timeout=S answers {events, seq} as soon as anything happened after
// SEQ, or with no events when the timeout passes. `seq` in the answer is the `since` of the next poll.
// Without `since` the answer is a snapshot. Long-pollers are not counted as watchers: between two
// polls nobody can tell a poller that left from one that is about to come back.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EventBus } from './event-bus.js';
import type { EventHistory } from './event-history.js';
import type { EncodedEvent } from './event-types.js';
import { type FeedAccessPolicy, isRefusal, readFeedRequest, refusalError } from './feed-request.js';
import type { Presence } from './presence.js';

export interface LongPollFeedOptions {
  access: FeedAccessPolicy;
  bus: EventBus;
  history: EventHistory;
  presence: Presence;
  defaultTimeoutS: number;
  /** Longer timeouts are cut to this (proxies tend to end idle requests after about a minute). */
  maxTimeoutS: number;
}

interface Poller {
  since: number;
  answer(events: EncodedEvent[]): void;
}

const TIMEOUT = /^\d{1,6}(\.\d+)?$/;

/** Registers GET /api/events/poll and returns the function that answers every waiting poll (shutdown). */
export function registerLongPollFeed(app: FastifyInstance, options: LongPollFeedOptions): () => void {
  const { bus, history, presence } = options;
  const waiting = new Set<Poller>();
  let answerScheduled = false;
  let closing = false;

  // One answer per burst: events published in the same tick (a final progress and `completed`)
  // travel in one response instead of making the poller come straight back.
  const answerAll = () => {
    if (answerScheduled || waiting.size === 0) return;
    answerScheduled = true;
    setImmediate(() => {
      answerScheduled = false;
      for (const poller of waiting) poller.answer(history.catchUp(poller.since, presence.count));
    });
  };
  const unsubscribe = bus.subscribe(answerAll);
  // A reset (new Redis epoch) answers with a snapshot; degraded/restored with the flag below.
  const unwatchChanges = bus.onChange(answerAll);

  app.get('/api/events/poll', (request, reply) => {
    const feedRequest = readFeedRequest(request.raw, options.access);
    if (isRefusal(feedRequest)) throw refusalError(feedRequest);
    const rawTimeout = feedRequest.query.get('timeout');
    if (rawTimeout !== null && !TIMEOUT.test(rawTimeout)) {
      throw refusalError({ code: 'EVENTS_INVALID_QUERY', args: ['timeout', 'expected seconds, e.g. 25'] });
    }
    const timeoutS = Math.min(
      rawTimeout === null ? options.defaultTimeoutS : Number(rawTimeout),
      options.maxTimeoutS,
    );
    const { since } = feedRequest;

    const backlog = history.catchUp(since, presence.count);
    // Once the server is closing, a poll that arrives late is answered at once (and its connection
    // not kept alive) instead of holding the shutdown up for its timeout.
    if (closing) reply.header('connection', 'close');
    if (since === undefined || backlog.length > 0 || timeoutS === 0 || closing) {
      return send(reply, backlog, since ?? bus.seq, bus.healthy);
    }

    const poller: Poller = {
      since,
      answer(events) {
        waiting.delete(poller);
        clearTimeout(timer);
        send(reply, events, since, bus.healthy);
      },
    };
    const timer = setTimeout(() => poller.answer([]), timeoutS * 1000);
    waiting.add(poller);
    // A poller that hangs up is forgotten. (The response's 'close', not the request's: a request
    // without a body "closes" as soon as it has been read.)
    reply.raw.on('close', () => {
      waiting.delete(poller);
      clearTimeout(timer);
    });
    return reply;
  });

  return () => {
    closing = true;
    unsubscribe();
    unwatchChanges();
    for (const poller of waiting) poller.answer([]);
  };
}

/**
 * Builds the body from the events' shared JSON strings instead of re-serialising each event.
 * `"degraded":true` is added while the shared event log is unreachable (cluster mode).
 */
function send(reply: FastifyReply, events: EncodedEvent[], since: number, healthy: boolean): FastifyReply {
  const seq = events.at(-1)?.seq ?? since;
  const degraded = healthy ? '' : ',"degraded":true';
  return reply
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(`{"events":[${events.map((event) => event.json).join(',')}],"seq":${seq}${degraded}}`);
}
