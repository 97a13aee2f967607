// How a webhook delivery is signed (docs/operations.md shows a receiver verifying it in Node):
//   Livedrop-Timestamp: <unix seconds when this attempt was sent>
//   Livedrop-Signature: sha256=<hex HMAC-SHA256(WEBHOOK_SECRET, timestamp + "." + body)>
// The timestamp is inside the MAC, so a receiver that refuses old timestamps also refuses replays of
// a captured delivery; each attempt is signed anew, so retries hours later still pass that check.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'livedrop-signature';
export const TIMESTAMP_HEADER = 'livedrop-timestamp';

export function signDelivery(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The receiver's side, as documented; used by the tests, exported for apps written in TypeScript. */
export function verifyDelivery(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signDelivery(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
