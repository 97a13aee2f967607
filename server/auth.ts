// AUTH_TOKEN: with a token set, every /api route except health, config and openapi.json needs it. Checked in
// onRequest, before any body byte is read, so an unauthenticated upload costs nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { errors } from './errors.js';

const OPEN_ROUTES = new Set(['/api/health', '/api/config', '/api/openapi.json']);

/** Whether a path needs the token when AUTH_TOKEN is set (the OpenAPI document says so per route too). */
export const requiresToken = (path: string) => path.startsWith('/api/') && !OPEN_ROUTES.has(path);

// Hashing both sides gives equal-length buffers, so timingSafeEqual never leaks the token's length.
const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The bearer token from `Authorization: Bearer …`, or from `?token=` on GET requests: browsers
 * cannot set headers on EventSource, WebSocket or a plain download link.
 */
function presentedToken(method: string, headers: IncomingHttpHeaders, url: string): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (match) return match[1]!;
  if (method !== 'GET' && method !== 'HEAD') return null;
  return new URL(url, 'http://localhost').searchParams.get('token');
}

export function hasValidToken(
  request: { method: string; headers: IncomingHttpHeaders; url: string },
  token: string,
): boolean {
  const presented = presentedToken(request.method, request.headers, request.url);
  return presented !== null && timingSafeEqual(digest(presented), digest(token));
}

export function registerAuth(app: FastifyInstance, token: string | null): void {
  if (token === null) return;
  app.addHook('onRequest', async (request) => {
    // CORS preflights carry no credentials by design (Fetch §4.8); @fastify/cors answers them.
    if (request.method === 'OPTIONS') return;
    const path = request.url.split('?', 1)[0]!;
    if (!requiresToken(path)) return;
    if (!hasValidToken(request, token)) throw new errors.AUTH_REQUIRED();
  });
}
