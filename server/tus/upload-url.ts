// The absolute URL of a tus upload, for Location (tus 1.0 §POST). X-Forwarded-Proto/Host are believed
// only with TRUST_PROXY=true: otherwise any client could make us hand out links to its own host
// (tus-node-server#469 and tusd#467 are the opposite pain: http:// links behind a TLS proxy).
import type { FastifyRequest } from 'fastify';

export const TUS_PATH = '/api/tus';

const HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

const first = (value: string | string[] | undefined) => {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw === undefined ? undefined : raw.split(',', 1)[0]!.trim();
};

export function uploadUrl(request: FastifyRequest, id: string, trustProxy: boolean): string {
  const path = `${TUS_PATH}/${id}`;
  let proto = 'encrypted' in request.raw.socket && request.raw.socket.encrypted ? 'https' : 'http';
  let host = first(request.headers.host);
  if (trustProxy) {
    const forwardedProto = first(request.headers['x-forwarded-proto'])?.toLowerCase();
    if (forwardedProto === 'http' || forwardedProto === 'https') proto = forwardedProto;
    host = first(request.headers['x-forwarded-host']) || host;
  }
  // No usable host (HTTP/1.0, garbage): a relative Location, which clients resolve against their endpoint.
  if (!host || !HOST.test(host)) return path;
  return `${proto}://${host}${path}`;
}
