// AUTH_TOKEN: with a token set, every /api route except health, config and openapi.json needs it. Checked in
// onRequest, before any body byte is read, so an unauthenticated upload costs nothing. A scoped
// upload token (server/tokens/) is accepted instead on the routes that create uploads only, from the
// one origin it is bound to; the request then carries its grant for ingest to enforce.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { errors } from './errors.js';
import { verifyToken } from './tokens/scoped-token.js';
import { type TokenFileCounts, type UploadGrant, UploadGrants } from './tokens/upload-grants.js';

const OPEN_ROUTES = new Set(['/api/health', '/api/config', '/api/openapi.json']);

/** Whether a path needs the token when AUTH_TOKEN is set (the OpenAPI document says so per route too). */
export const requiresToken = (path: string) => path.startsWith('/api/') && !OPEN_ROUTES.has(path);

/** The routes a scoped token may call: creating uploads, nothing that reads, lists or deletes. */
const SCOPED_ROUTES: { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/api\/uploads$/ },
  // tus: creating, and HEAD/PATCH (also as POST with X-HTTP-Method-Override) of its own uploads only,
  // which server/tokens/tus-grant.ts checks once the upload's record is at hand.
  { method: 'POST', path: /^\/api\/tus$/ },
  { method: 'HEAD', path: /^\/api\/tus\/[^/]+$/ },
  { method: 'PATCH', path: /^\/api\/tus\/[^/]+$/ },
  { method: 'POST', path: /^\/api\/tus\/[^/]+$/ },
];

export const isScopedRoute = (method: string, path: string) =>
  SCOPED_ROUTES.some((route) => route.method === method && route.path.test(path));

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was made with a scoped upload token: the limits ingest applies. */
    uploadGrant: UploadGrant | null;
  }
}

// Hashing both sides gives equal-length buffers, so timingSafeEqual never leaks the token's length.
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The bearer token from `Authorization: Bearer …`, or from `?token=`: browsers cannot set headers on
 * EventSource, WebSocket, a plain download link or a plain HTML form. The admin token is taken from
 * the query on GET requests only; `queryOnWrites` lets a scoped token come that way on a POST.
 */
function presentedToken(
  method: string,
  headers: IncomingHttpHeaders,
  url: string,
  queryOnWrites = false,
): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (match) return match[1]!;
  if (method !== 'GET' && method !== 'HEAD' && !queryOnWrites) return null;
  return new URL(url, 'http://localhost').searchParams.get('token');
}

export function hasValidToken(
  request: { method: string; headers: IncomingHttpHeaders; url: string },
  token: string,
): boolean {
  const presented = presentedToken(request.method, request.headers, request.url);
  return presented !== null && timingSafeEqual(digest(presented), digest(token));
}

/** `tokenKey` signs scoped upload tokens (null: none are accepted); `counts` keeps their file counts. */
export function registerAuth(
  app: FastifyInstance,
  token: string | null,
  tokenKey: Buffer | null,
  counts: TokenFileCounts,
): void {
  app.decorateRequest('uploadGrant', null);
  if (token === null) return;
  const grants = new UploadGrants(counts, app.log);

  app.addHook('onRequest', async (request) => {
    // CORS preflights carry no credentials by design (Fetch §4.8); @fastify/cors answers them.
    if (request.method === 'OPTIONS') return;
    const path = request.url.split('?', 1)[0]!;
    if (!requiresToken(path)) return;
    if (hasValidToken(request, token)) return;

    const presented = presentedToken(request.method, request.headers, request.url, true);
    const claims = presented !== null && tokenKey !== null ? verifyToken(tokenKey, presented) : null;
    if (claims === null) throw new errors.AUTH_REQUIRED();
    if (!isScopedRoute(request.method, path)) throw new errors.UPLOAD_TOKEN_SCOPE(request.method, path);
    const origin = request.headers.origin;
    if (origin !== claims.origin) throw new errors.UPLOAD_TOKEN_ORIGIN(claims.origin, origin ?? 'no Origin');
    request.uploadGrant = grants.grant(claims);
  });
}
