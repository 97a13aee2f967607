// HEAD /api/events: Fastify answers HEAD with the GET handler, and the SSE handler hijacks the reply
// and streams. Node ignores writes to a HEAD response, so its head was never sent: the request hung
// for as long as the client waited, and counted as a watcher meanwhile. A HEAD gets the stream's
// head (RFC 9110 §9.3.2: the same header fields as GET, no content) and ends.
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/upload-server.js';
import { openWsWatcher, type WsWatcher } from '../integration/events-clients.js';

let server: TestServer;
let watcher: WsWatcher;
beforeAll(async () => {
  server = await startServer();
  watcher = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
});
afterAll(async () => {
  watcher?.socket.terminate();
  await server?.close();
});

it('HEAD /api/events is answered with the SSE head and no body, and is no watcher', async () => {
  const answer = await new Promise<{ status: number; type: string | undefined; body: string }>(
    (resolve, reject) => {
      const request = http.request(
        `${server.url}/api/events`,
        { method: 'HEAD', agent: false },
        (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () =>
            resolve({ status: response.statusCode!, type: response.headers['content-type'], body }),
          );
        },
      );
      request.setTimeout(3000, () => request.destroy(new Error('HEAD /api/events was not answered')));
      request.on('error', reject);
      request.end();
    },
  );
  expect(answer).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8', body: '' });
  // The healthy watcher never saw the count rise above itself.
  expect(watcher.events.filter((e) => e.type === 'watchers').map((e) => e.count)).not.toContain(2);
});
