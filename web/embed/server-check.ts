// Whether this page may use the upload server, asked once when the element connects. GET /api/config
// is open (no token) and carries CORS headers for allowed origins only; when the CORS read fails, an
// opaque no-cors request tells "the server is up but refuses this origin" from "unreachable", so the
// element can say which instead of failing silently on the first upload.
import type { ServerConfig } from '../api-types.js';

export type ServerCheck =
  | { kind: 'ok'; config: ServerConfig }
  | { kind: 'origin-refused' }
  | { kind: 'unreachable' };

export async function checkServer(server: string): Promise<ServerCheck> {
  const url = `${server}/api/config`;
  try {
    const response = await fetch(url, { mode: 'cors', credentials: 'omit', cache: 'no-store' });
    if (!response.ok) return { kind: 'unreachable' };
    return { kind: 'ok', config: (await response.json()) as ServerConfig };
  } catch {
    try {
      await fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
      return { kind: 'origin-refused' };
    } catch {
      return { kind: 'unreachable' };
    }
  }
}
