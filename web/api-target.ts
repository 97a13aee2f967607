// Where the API lives. By default the page's own origin; `?api=http://host:port` points the page at
// a server on another origin (CORS for uploads, the Origin allowlist for the feeds), and `?token=`
// supplies the bearer token when the server has AUTH_TOKEN set.

export interface ApiTarget {
  /** Absolute base URL of the server, without a trailing slash. */
  base: string;
  token: string | null;
}

export function apiTargetFrom(location: { href: string; origin: string }): ApiTarget {
  const params = new URL(location.href).searchParams;
  const api = params.get('api');
  let base = location.origin;
  if (api) {
    try {
      base = new URL(api).origin;
    } catch {
      // A malformed ?api= falls back to this origin rather than breaking the page.
    }
  }
  return { base, token: params.get('token') || null };
}

/** An absolute URL for an API path, or for a server-given URL such as an upload's `url`; anything
 *  but http(s) (a `javascript:` URL, say) falls back to the API's own origin rather than becoming a link. */
export function apiUrl(target: ApiTarget, path: string): string {
  const url = new URL(path, `${target.base}/`);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : `${target.base}/`;
}

/** The feed URL: ws(s):// for WebSocket, http(s):// for SSE, with `since` and `token` in the query
 *  (browsers cannot set headers on WebSocket or EventSource; DESIGN.md §3 AUTH_TOKEN). */
export function feedUrl(target: ApiTarget, transport: 'ws' | 'sse', since: number | null): string {
  const url = new URL('/api/events', `${target.base}/`);
  if (transport === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (since !== null) url.searchParams.set('since', String(since));
  if (target.token) url.searchParams.set('token', target.token);
  return url.href;
}

/** A link the browser follows by itself (download, open): it carries no headers, so the token goes in
 *  the query, which the server accepts on GET requests. */
export function linkUrl(target: ApiTarget, path: string): string {
  const url = new URL(apiUrl(target, path));
  if (target.token) url.searchParams.set('token', target.token);
  return url.href;
}

export function authHeaders(target: ApiTarget): Record<string, string> {
  return target.token ? { Authorization: `Bearer ${target.token}` } : {};
}
