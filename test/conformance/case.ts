// The shape of a conformance case: what a client sends, step by step, and what the server must do.
import type { ServerMessage } from './raw-client.js';

export type Step =
  /** Write these bytes, whole or in `chop`-byte TCP writes. */
  | { send: Buffer; chop?: number }
  | { pause: number }
  /** Strict fail-fast (Autobahn 6.4.x): the server must have closed within this many ms. */
  | { failFastWithin: number }
  /** Send `roundTrip`, wait for one message back, `times` times (Autobahn 9.7/9.8). */
  | { roundTrip: Buffer; times: number };

export type Expectation =
  | { outcome: 'echo'; messages: readonly ServerMessage[] }
  | { outcome: 'fail'; code: number; messages: readonly ServerMessage[] }
  | { outcome: 'close'; code: number | 'empty'; messages: readonly ServerMessage[] };

export interface ConformanceCase {
  /** Autobahn's case number where there is one. */
  id: string;
  description: string;
  steps: Step[];
  expect: Expectation;
}

export function textMessage(data: Buffer | string): ServerMessage {
  return { kind: 'text', data: Buffer.from(data) };
}
export function binaryMessage(data: Buffer): ServerMessage {
  return { kind: 'binary', data };
}
export function pong(data: Buffer | string = ''): ServerMessage {
  return { kind: 'pong', data: Buffer.from(data) };
}

export function echoCase(
  id: string,
  description: string,
  steps: Step[],
  messages: ServerMessage[],
): ConformanceCase {
  return { id, description, steps, expect: { outcome: 'echo', messages } };
}

export function failCase(
  id: string,
  description: string,
  steps: Step[],
  code = 1002,
  messages: ServerMessage[] = [],
): ConformanceCase {
  return { id, description, steps, expect: { outcome: 'fail', code, messages } };
}

export function closeCase(
  id: string,
  description: string,
  steps: Step[],
  code: number | 'empty',
  messages: ServerMessage[] = [],
): ConformanceCase {
  return { id, description, steps, expect: { outcome: 'close', code, messages } };
}
