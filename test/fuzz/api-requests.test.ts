// Property test over the whole HTTP surface on a real port: random methods, paths (ids real and fake,
// traversal attempts, encoded NULs), query strings (limit, before, since, timeout, token), Range and
// Last-Event-ID headers, Accept: text/event-stream, half or whole WebSocket upgrade headers. No answer
// is a 5xx, every request is answered (only a long-poll may legitimately wait), and afterwards the
// server is healthy, its stored upload untouched, and its file descriptors back where they were.
import { readdirSync } from 'node:fs';
import http from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, multipart, startServer, type TestServer } from '../fixtures/upload-server.js';
import { oneShot } from './one-shot-request.js';

const seed = Number(process.env.FUZZ_SEED ?? 9110);
const numRuns = 300;
/** An answer (its status line) must come by then, except from a long-poll that is waiting for events. */
const ANSWER_WITHIN_MS = 3000;

let server: TestServer;
let storedId: string;

const segment = fc.oneof(
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f..%2fetc%2fpasswd',
    '%00',
    'AAAAAAAAAAAAAAAAAAAAAA',
    '%F0%9F%92%A9',
    '',
  ),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);
const id = fc.oneof(fc.constant('STORED'), segment);
const path = fc.oneof(
  fc.constantFrom('/api/uploads', '/api/events', '/api/events/poll', '/api/config', '/api/health', '/'),
  id.map((i) => `/api/uploads/${i}`),
  id.map((i) => `/api/uploads/${i}/content`),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
);
const queryValue = fc.oneof(
  fc.constantFrom('0', '1', '-1', '200', '201', '99999999999999999999', '1e3', 'NaN', '', '1.5', '0x10'),
  fc.string({ maxLength: 20 }),
);
const query = fc
  .dictionary(fc.constantFrom('limit', 'before', 'since', 'timeout', 'token'), queryValue, { maxKeys: 3 })
  .map((q) => new URLSearchParams(q).toString());

const headerValue = fc.oneof(
  fc.constantFrom(
    'bytes=0-0',
    'bytes=-1',
    'bytes=5-2',
    'bytes=0-1,2-3',
    'bytes=99999999999999999999-',
    'items=0-1',
  ),
  fc.string({ maxLength: 30 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
);
const headers = fc.record(
  {
    range: headerValue,
    'last-event-id': headerValue,
    accept: fc.constantFrom('text/event-stream', 'application/json', '*/*'),
    upgrade: fc.constantFrom('websocket', 'h2c', 'WebSocket'),
    connection: fc.constantFrom('Upgrade', 'keep-alive, Upgrade', 'close'),
    'sec-websocket-key': fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', 'short', ''),
    'sec-websocket-version': fc.constantFrom('13', '8', 'x'),
    origin: fc.constantFrom('http://evil.example', 'null'),
    authorization: fc.constantFrom('Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer '),
  },
  { requiredKeys: [] },
);
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH');

/** Resolves with the status as soon as the answer's head arrives (streams and upgrades included). */
function statusOf(verb: string, target: string, extra: Record<string, string>): Promise<number | 'waiting'> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${target}`, { method: verb, headers: extra, agent: false });
    const timer = setTimeout(() => {
      request.destroy();
      resolve('waiting');
    }, ANSWER_WITHIN_MS);
    const done = (status: number) => {
      clearTimeout(timer);
      request.destroy();
      resolve(status);
    };
    request.on('response', (response) => done(response.statusCode!));
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      done(response.statusCode!);
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end();
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe(`random requests to every route (seed ${seed})`, () => {
  beforeAll(async () => {
    server = await startServer({ LOG_LEVEL: 'silent' });
    const { body, contentType } = multipart([{ name: 'file', filename: 'keep.txt', data: 'keep me' }]);
    const answer = await oneShot('POST', `${server.url}/api/uploads`, {
      headers: { 'content-type': contentType, 'content-length': body.length },
      pieces: [body],
    });
    storedId = (JSON.parse(answer.body) as { uploads: { id: string }[] }).uploads[0]!.id;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('never answers 5xx and never hangs; the server stays healthy and leaks nothing', async () => {
    const fdsBefore = openFds();
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, async (verb, target, q, extra) => {
        // DELETE on the stored upload would remove it: the invariant below checks it is untouched.
        const real = target.replace('STORED', verb === 'DELETE' ? 'AAAAAAAAAAAAAAAAAAAAAB' : storedId);
        const url = q === '' ? real : `${real}?${q}`;
        const status = await statusOf(verb, url, extra as Record<string, string>);
        if (status === 'waiting') {
          expect(`${verb} ${real}`).toBe('GET /api/events/poll');
        } else {
          expect(status, `${verb} ${url} ${JSON.stringify(extra)}`).toBeLessThan(500);
        }
      }),
      { seed, numRuns },
    );
    expect((await oneShot('GET', `${server.url}/api/health`)).status).toBe(200);
    expect((await oneShot('GET', `${server.url}/api/uploads/${storedId}/content`)).body).toBe('keep me');
    await eventually(() => expect(openFds()).toBeLessThanOrEqual(fdsBefore), 10_000);
  });
});
