// Who may open a feed, and where it starts: the checks shared by the WebSocket, SSE and long-poll
// feeds, made on the raw request so the WebSocket upgrade (outside Fastify's routing) and the
// Fastify routes decide alike.
import type { IncomingMessage } from 'node:http';
import type { FastifyError } from 'fastify';
import { hasValidToken } from '../auth.js';
import type { Config } from '../config.js';
import { type ErrorCode, errors } from '../errors.js';
import { isOriginAllowed } from '../origin-policy.js';

/** The API's own rules (server/auth.ts, server/origin-policy.ts), applied to the feeds. */
export interface FeedAccessPolicy {
  /** CORS_ORIGINS: browser origins allowed besides the server's own. */
  corsOrigins: Config['corsOrigins'];
  /** AUTH_TOKEN, or null when the server is open. */
  authToken: string | null;
}

export interface FeedRefusal {
  code: Extract<ErrorCode, 'AUTH_REQUIRED' | 'ORIGIN_NOT_ALLOWED' | 'EVENTS_INVALID_QUERY'>;
  /** Arguments for the error table's message template. */
  args: string[];
}

export interface FeedRequest {
  /** The last seq the watcher has seen: from Last-Event-ID (an SSE reconnect) or ?since. */
  since: number | undefined;
  query: URLSearchParams;
}

const SEQ = /^(0|[1-9]\d{0,15})$/;

/** Checks origin, token and `since`, in that order; returns the refusal or the parsed request. */
export function readFeedRequest(req: IncomingMessage, policy: FeedAccessPolicy): FeedRequest | FeedRefusal {
  const origin = req.headers.origin;
  if (!isOriginAllowed(origin, req.headers.host, policy.corsOrigins)) {
    return { code: 'ORIGIN_NOT_ALLOWED', args: [String(origin)] };
  }
  const url = req.url ?? '/';
  // Browsers cannot set headers on WebSocket or EventSource: hasValidToken also takes `?token=`.
  if (
    policy.authToken !== null &&
    !hasValidToken({ method: 'GET', headers: req.headers, url }, policy.authToken)
  ) {
    return { code: 'AUTH_REQUIRED', args: [] };
  }
  const query = new URL(url, 'http://localhost').searchParams;
  // EventSource resends the URL it was opened with, so on a reconnect Last-Event-ID is the newer truth.
  const lastEventId = req.headers['last-event-id'];
  const raw = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : query.get('since');
  if (raw === null) return { since: undefined, query };
  if (!SEQ.test(raw)) return { code: 'EVENTS_INVALID_QUERY', args: ['since', 'expected a sequence number'] };
  return { since: Number(raw), query };
}

export function isRefusal(result: FeedRequest | FeedRefusal): result is FeedRefusal {
  return 'code' in result;
}

/** The error-table error for a refusal, in Fastify's error shape when thrown from a route. */
export function refusalError(refusal: FeedRefusal): FastifyError {
  return new errors[refusal.code](...refusal.args);
}
