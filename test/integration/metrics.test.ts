// GET /metrics on a real server, parsed by a Prometheus text-format parser: the counters move as
// real uploads and real watchers come and go, and the route is guarded by METRICS_TOKEN only.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { histogramCount, sample, scrape } from '../fixtures/metrics.js';
import {
  eventually,
  multipart,
  postMultipart,
  startServer,
  type TestServer,
} from '../fixtures/upload-server.js';
import { openSseReader, openWsWatcher, type SseReader, type WsWatcher } from './events-clients.js';

let server: TestServer;
const watchers: WsWatcher[] = [];
const readers: SseReader[] = [];

afterEach(async () => {
  for (const watcher of watchers.splice(0)) watcher.socket.terminate();
  for (const reader of readers.splice(0)) reader.close();
  await server.close();
});

/** Starts a POST of `body` and sends only its first `sent` bytes; `rest()` sends the others and waits for the answer. */
function holdOpenUpload(body: Buffer, contentType: string, sent: number) {
  const request = http.request(`${server.url}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': body.length },
  });
  const answered = new Promise<number>((resolve, reject) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
  });
  request.write(body.subarray(0, sent));
  return {
    rest: () => {
      request.end(body.subarray(sent));
      return answered;
    },
  };
}

describe('GET /metrics', () => {
  it('counts an upload in flight and its bytes as they arrive, then its completion', async () => {
    server = await startServer();
    const data = randomBytes(512 * 1024);
    const { body, contentType } = multipart([{ name: 'file', filename: 'a.bin', data }]);
    const before = await scrape(server.url);
    expect(sample(before, 'livedrop_uploads_in_flight', { kind: 'multipart' })).toBe(0);
    expect(sample(before, 'livedrop_upload_bytes_received_total', { kind: 'multipart' })).toBe(0);

    const upload = holdOpenUpload(body, contentType, body.length / 2);
    await eventually(async () => {
      const during = await scrape(server.url);
      expect(sample(during, 'livedrop_uploads_in_flight', { kind: 'multipart' })).toBe(1);
      expect(sample(during, 'livedrop_upload_bytes_received_total', { kind: 'multipart' })).toBeGreaterThan(
        data.length / 4,
      );
    });
    expect(await upload.rest()).toBe(201);

    const after = await scrape(server.url);
    expect(sample(after, 'livedrop_uploads_in_flight', { kind: 'multipart' })).toBe(0);
    expect(sample(after, 'livedrop_uploads_completed_total', { kind: 'multipart' })).toBe(1);
    expect(sample(after, 'livedrop_upload_bytes_received_total', { kind: 'multipart' })).toBe(data.length);
    expect(sample(after, 'livedrop_events_published_total', { type: 'upload.completed' })).toBe(1);
    const posts = { method: 'POST', route: '/api/uploads', status: '201' };
    expect(histogramCount(after, 'livedrop_http_request_duration_seconds', posts)).toBe(1);
  });

  it('counts failed uploads by error code, and deletions', async () => {
    server = await startServer();
    const mismatch = await postMultipart(server.url, [
      { name: 'size', value: '10' },
      { name: 'file', filename: 'short.bin', data: 'abc' },
    ]);
    expect(mismatch.status).toBe(400);
    const ok = await postMultipart(server.url, [{ name: 'file', filename: 'b.txt', data: 'hello' }]);
    const { uploads } = (await ok.json()) as { uploads: { id: string }[] };
    expect((await fetch(`${server.url}/api/uploads/${uploads[0]!.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );

    const metrics = await scrape(server.url);
    const failed = { kind: 'multipart', code: 'UPLOAD_SIZE_MISMATCH' };
    expect(sample(metrics, 'livedrop_uploads_failed_total', failed)).toBe(1);
    expect(sample(metrics, 'livedrop_uploads_completed_total', { kind: 'multipart' })).toBe(1);
    expect(sample(metrics, 'livedrop_uploads_deleted_total')).toBe(1);
    expect(sample(metrics, 'livedrop_uploads_in_flight', { kind: 'multipart' })).toBe(0);
    expect(sample(metrics, 'livedrop_events_published_total', { type: 'upload.failed' })).toBe(1);
    expect(sample(metrics, 'livedrop_events_published_total', { type: 'upload.deleted' })).toBe(1);
  });

  it('counts watchers by feed, events delivered to them with their lag, and replays vs snapshots', async () => {
    server = await startServer();
    const feed = `${server.url.replace('http', 'ws')}/api/events`;
    const first = await openWsWatcher(feed);
    watchers.push(first);
    await first.waitFor((e) => e.type === 'watchers');
    expect(sample(await scrape(server.url), 'livedrop_watchers', { feed: 'websocket' })).toBe(1);

    await postMultipart(server.url, [{ name: 'file', filename: 'c.txt', data: 'watched' }]);
    const completed = await first.waitFor((e) => e.type === 'upload.completed');
    const metrics = await scrape(server.url);
    // started, (progress), completed and the watcher's own `watchers` event, to one watcher.
    expect(sample(metrics, 'livedrop_events_delivered_total', { feed: 'websocket' })).toBeGreaterThanOrEqual(
      3,
    );
    expect(
      histogramCount(metrics, 'livedrop_event_delivery_lag_seconds', { feed: 'websocket' }),
    ).toBeGreaterThanOrEqual(3);

    // Back with a seq the server still holds: a replay. With one it never issued: a snapshot.
    watchers.push(await openWsWatcher(`${feed}?since=${completed.seq}`));
    watchers.push(await openWsWatcher(`${feed}?since=999999`));
    await eventually(async () => {
      const now = await scrape(server.url);
      expect(sample(now, 'livedrop_feed_reconnects_total', { feed: 'websocket', outcome: 'replay' })).toBe(1);
      expect(sample(now, 'livedrop_feed_reconnects_total', { feed: 'websocket', outcome: 'snapshot' })).toBe(
        1,
      );
      expect(sample(now, 'livedrop_watchers', { feed: 'websocket' })).toBe(3);
    });
  });

  it('counts SSE watchers and a reconnect with Last-Event-ID as a replay', async () => {
    server = await startServer();
    const feed = `${server.url}/api/events`;
    const first = await openSseReader(feed);
    readers.push(first);
    const joined = await first.waitFor((e) => e.type === 'watchers');
    expect(sample(await scrape(server.url), 'livedrop_watchers', { feed: 'sse' })).toBe(1);
    first.close();
    await eventually(async () =>
      expect(sample(await scrape(server!.url), 'livedrop_watchers', { feed: 'sse' })).toBe(0),
    );
    const back = await openSseReader(feed, { 'last-event-id': String(joined.seq) });
    readers.push(back);
    await back.waitFor((e) => e.type === 'watchers' && e.seq > joined.seq);
    const metrics = await scrape(server.url);
    expect(sample(metrics, 'livedrop_feed_reconnects_total', { feed: 'sse', outcome: 'replay' })).toBe(1);
    expect(sample(metrics, 'livedrop_events_delivered_total', { feed: 'sse' })).toBeGreaterThanOrEqual(1);
  });

  it('includes the Node process defaults', async () => {
    server = await startServer();
    const metrics = await scrape(server.url);
    expect(sample(metrics, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(metrics, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('401 without METRICS_TOKEN when it is set; the upload token neither needed nor accepted', async () => {
    server = await startServer({ METRICS_TOKEN: 'metrics-secret', AUTH_TOKEN: 'upload-secret' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const withUploadToken = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer upload-secret' },
    });
    expect(withUploadToken.status).toBe(401);
    expect(((await withUploadToken.json()) as { code: string }).code).toBe('AUTH_REQUIRED');
    expect(sample(await scrape(server.url, 'metrics-secret'), 'livedrop_uploads_deleted_total')).toBe(0);
  });

  it('is open with only AUTH_TOKEN set: the upload token does not guard it', async () => {
    server = await startServer({ AUTH_TOKEN: 'upload-secret' });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
