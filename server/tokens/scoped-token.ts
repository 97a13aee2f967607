// Scoped upload tokens: stateless, signed, expiring. A host site's backend asks for one with the
// admin AUTH_TOKEN and hands it to its visitors (in a form's action URL or the element's `token`
// attribute); it can only create uploads from one origin, within its limits (docs/embedding.md).
//
// Format: `ldt1.<payload>.<signature>`, both base64url; the payload is the JSON of ScopedClaims and the
// signature is HMAC-SHA256(key, "ldt1." + payload). Any node holding the same key verifies it, so a
// token works across nodes without shared state. The key is UPLOAD_TOKEN_SECRET, or derived from
// AUTH_TOKEN when that is unset: rotating either revokes every token at once.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';

const PREFIX = 'ldt1.';

export interface ScopedClaims {
  /** Random id: what the file count of a token is kept under. */
  jti: string;
  /** The one browser origin that may present the token (its Origin header must match exactly). */
  origin: string;
  maxFileSize: number;
  /** Files the token may create in all, on every node together (upload-grants.ts). */
  maxFiles: number;
  /** MIME types or `type/*` patterns; empty admits whatever ALLOWED_TYPES admits. */
  types: string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** The signing key; null without AUTH_TOKEN (uploads need no token then, so none is issued). */
export function deriveTokenKey(secret: string | null, authToken: string | null): Buffer | null {
  if (authToken === null) return null;
  return createHmac('sha256', secret ?? authToken)
    .update('livedrop upload tokens v1')
    .digest();
}

const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key)
    .update(PREFIX + payload)
    .digest('base64url');

export function issueToken(
  key: Buffer,
  claims: Omit<ScopedClaims, 'jti'>,
): { token: string; claims: ScopedClaims } {
  const full: ScopedClaims = { jti: randomBytes(12).toString('base64url'), ...claims };
  const payload = Buffer.from(JSON.stringify(full)).toString('base64url');
  return { token: `${PREFIX}${payload}.${sign(key, payload)}`, claims: full };
}

/**
 * The claims of a genuine token; null when `presented` is not a token this server signed (the caller
 * answers that as a missing token). A genuine but expired token is refused with its own error.
 */
export function verifyToken(key: Buffer, presented: string, now = Date.now()): ScopedClaims | null {
  if (!presented.startsWith(PREFIX)) return null;
  const [payload, signature, extra] = presented.slice(PREFIX.length).split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) return null;
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: ScopedClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as ScopedClaims;
  } catch {
    return null;
  }
  if (claims.exp * 1000 <= now)
    throw new errors.UPLOAD_TOKEN_EXPIRED(new Date(claims.exp * 1000).toISOString());
  return claims;
}
