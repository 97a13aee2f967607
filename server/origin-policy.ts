// Which browser origins may use the API and open the live feeds. One decision, shared by the CORS
// headers (server/cors.ts) and the WebSocket/SSE Origin checks.
import type { Config } from './config.js';

/**
 * Same-origin is always allowed: a page served by this host may talk to it. Otherwise the origin
 * must be listed in CORS_ORIGINS, or CORS_ORIGINS must be `*`. A request without an Origin header
 * (curl, scripts) is not a browser cross-origin request and is allowed.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  corsOrigins: Config['corsOrigins'],
): boolean {
  if (origin === undefined) return true;
  if (corsOrigins === '*' || corsOrigins.includes(origin)) return true;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage are never same-origin
  }
}
