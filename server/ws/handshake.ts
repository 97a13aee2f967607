// The opening handshake, server side (RFC 6455 §4.2). Every header may be missing or repeated, so
// each is read from `headersDistinct` (one entry per occurrence) and checked for exactly what the
// RFC requires; anything else is refused with a short plain-text response.
import { createHash } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HANDSHAKE_GUID } from './constants.js';

export type OriginPolicy =
  | readonly string[]
  | '*'
  | ((origin: string | undefined, req: IncomingMessage) => boolean);

export interface HandshakePolicy {
  readonly origins: OriginPolicy;
  readonly authorize?: (req: IncomingMessage) => { status: number; message: string } | undefined;
  readonly protocols: readonly string[];
}

export type HandshakeVerdict =
  | { readonly accepted: true; readonly key: string; readonly protocol: string }
  | {
      readonly accepted: false;
      readonly status: number;
      readonly message: string;
      readonly headers?: Readonly<Record<string, string>>;
    };

/** §4.1: the key is 16 random bytes, base64-encoded: 22 characters and "==". */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

function refuse(status: number, message: string, headers?: Record<string, string>): HandshakeVerdict {
  return { accepted: false, status, message, headers };
}

/** Comma-separated tokens from every occurrence of a header, trimmed and lower-cased. */
function tokens(values: readonly string[] | undefined): string[] {
  if (values === undefined) return [];
  return values.flatMap((value) => value.split(',').map((token) => token.trim().toLowerCase()));
}

function originAllowed(policy: OriginPolicy, origin: string | undefined, req: IncomingMessage): boolean {
  if (policy === '*') return true;
  if (typeof policy === 'function') return policy(origin, req);
  // Only browsers send Origin, and only for them does it mean anything (§10.2); a listed origin
  // or none at all passes.
  return origin === undefined || policy.includes(origin);
}

/** Decides whether to accept an upgrade request (§4.2.1), in the order the RFC lists the fields. */
export function evaluateHandshake(req: IncomingMessage, policy: HandshakePolicy): HandshakeVerdict {
  if (req.method !== 'GET') return refuse(400, 'WebSocket handshake must use GET');
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor < 1) {
    return refuse(400, 'WebSocket handshake needs HTTP/1.1 or later');
  }
  const headers = req.headersDistinct;
  if (headers.host?.length !== 1) return refuse(400, 'Missing or repeated Host header');
  if (!tokens(headers.upgrade).includes('websocket'))
    return refuse(400, 'Upgrade header must be "websocket"');
  if (!tokens(headers.connection).includes('upgrade'))
    return refuse(400, 'Connection header must include "Upgrade"');
  const keys = headers['sec-websocket-key'];
  const key = keys?.length === 1 ? keys[0]!.trim() : '';
  if (!KEY_PATTERN.test(key))
    return refuse(400, 'Sec-WebSocket-Key must be one base64-encoded 16-byte value');
  const versions = headers['sec-websocket-version'];
  if (versions === undefined) return refuse(400, 'Missing Sec-WebSocket-Version header');
  // §4.4: an unsupported version is answered with the versions we speak.
  if (versions.length !== 1 || versions[0]!.trim() !== '13') {
    return refuse(426, 'Unsupported WebSocket version; this server speaks 13', {
      'Sec-WebSocket-Version': '13',
    });
  }
  const origins = headers.origin;
  if (origins !== undefined && origins.length > 1) return refuse(400, 'Repeated Origin header');
  if (!originAllowed(policy.origins, origins?.[0], req)) return refuse(403, 'Origin not allowed');
  const denial = policy.authorize?.(req);
  if (denial !== undefined) return refuse(denial.status, denial.message);

  // §4.2.2: pick one of the client's subprotocols; the first of its list we support wins.
  // Subprotocol names are case-sensitive tokens (§11.5), so they are only trimmed.
  const offered = (headers['sec-websocket-protocol'] ?? []).flatMap((value) =>
    value.split(',').map((name) => name.trim()),
  );
  const protocol =
    policy.protocols.length === 0 ? '' : (offered.find((p) => policy.protocols.includes(p)) ?? '');
  return { accepted: true, key, protocol };
}

/** §4.2.2: base64(SHA-1(key + GUID)). */
export function acceptValue(key: string): string {
  return createHash('sha1')
    .update(key + HANDSHAKE_GUID)
    .digest('base64');
}

/**
 * The 101 response. Sec-WebSocket-Extensions is never echoed, which declines permessage-deflate
 * and every other extension (§9.1).
 */
export function acceptResponse(key: string, protocol: string): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${acceptValue(key)}\r\n` +
    (protocol === '' ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
    '\r\n'
  );
}

/** Writes a short plain-text HTTP response and destroys the socket once it is flushed. */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  );
}
