// Who may open a feed, and where it starts: the checks shared by the WebSocket, SSE and long-poll
// feeds, made on the raw request so the WebSocket upgrade (outside Fastify's routing) and the
// Fastify routes decide alike.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyError } from 'fastify';
import { type ErrorCode, errors } from '../errors.js';

export interface FeedAccessPolicy {
  /** CORS_ORIGINS applied to a feed (same-origin always allowed); `origin` is undefined when absent. */
  isOriginAllowed(origin: string | undefined, req: IncomingMessage): boolean;
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
  if (!policy.isOriginAllowed(origin, req)) return { code: 'ORIGIN_NOT_ALLOWED', args: [String(origin)] };
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  if (policy.authToken !== null && !hasToken(req, query, policy.authToken)) {
    return { code: 'AUTH_REQUIRED', args: [] };
  }
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

/** Browsers cannot set headers on WebSocket or EventSource, hence `?token=` next to the bearer header. */
function hasToken(req: IncomingMessage, query: URLSearchParams, token: string): boolean {
  const header = req.headers.authorization;
  const given = header?.startsWith('Bearer ') ? header.slice(7) : query.get('token');
  return given !== null && given !== undefined && sameSecret(given, token);
}

/** Compares digests, so neither the content nor the length of the token leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
