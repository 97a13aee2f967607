// Webhooks against a real receiver on a real port: every event delivered and signed, retried with
// backoff across a failing period, the same Idempotency-Key on every attempt, bounded concurrency
// with a receiver that never answers, and a receiver that never recovers visible in the admin read
// and the metrics. (The kill -9 case is in test/reliability/webhooks-crash.test.ts.)
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { sample, scrape } from '../fixtures/metrics.js';
import {
  eventually,
  multipart,
  postMultipart,
  startServer,
  type TestServer,
} from '../fixtures/upload-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';

const SECRET = 'whsec-test-secret';
let server: TestServer | undefined;
let receiver: WebhookReceiver | undefined;

afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = receiver = undefined;
});

const webhookEnv = (url: string, extra: Record<string, string> = {}) => ({
  WEBHOOK_URLS: url,
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_RETRY_MIN_MS: '50',
  WEBHOOK_RETRY_MAX_MS: '400',
  ...extra,
});

async function upload(url: string, names: string[], headers: Record<string, string> = {}): Promise<string[]> {
  const response = await postMultipart(
    url,
    names.map((name) => ({ name: 'file', filename: name, data: `contents of ${name}` })),
    headers,
  );
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploads: { id: string }[] }).uploads.map((u) => u.id);
}

interface QueueView {
  receivers: { receiver: string; delivered: number; failedAttempts: number; pending: number; dead: number }[];
  pending: { idempotencyKey: string; attempts: number; lastError: string | null }[];
  dead: { event: string; uploadId: string; attempts: number; lastError: string | null }[];
}

async function queueView(base: string, headers: Record<string, string> = {}): Promise<QueueView> {
  const response = await fetch(`${base}/api/webhooks/queue`, { headers });
  expect(response.status).toBe(200);
  return (await response.json()) as QueueView;
}

describe('webhooks', () => {
  it('POSTs each completed upload once, signed, with an idempotency key; failed and deleted too', async () => {
    receiver = await startWebhookReceiver(SECRET);
    server = await startServer(webhookEnv(receiver.url));
    const ids = await upload(server.url, ['a.txt', 'b.txt', 'c.txt']);
    ids.push(...(await upload(server.url, ['d.txt'])));
    const mismatch = await postMultipart(server.url, [
      { name: 'size', value: '99' },
      { name: 'file', filename: 'short.txt', data: 'abc' },
    ]);
    expect(mismatch.status).toBe(400);
    expect((await fetch(`${server.url}/api/uploads/${ids[0]}`, { method: 'DELETE' })).status).toBe(204);

    await eventually(() => expect(receiver!.processed.size).toBe(6));
    const events = [...receiver.processed.values()];
    const completed = events.filter((e) => e.type === 'upload.completed');
    expect(completed.map((e) => e.upload.id).sort()).toEqual([...ids].sort());
    expect(completed.every((e) => e.upload.status === 'completed')).toBe(true);
    expect(events.find((e) => e.type === 'upload.failed')?.error?.code).toBe('UPLOAD_SIZE_MISMATCH');
    expect(events.find((e) => e.type === 'upload.deleted')?.upload.id).toBe(ids[0]);
    // Every request passed the documented check; its key is the event's id; one attempt each.
    for (const request of receiver.requests) {
      expect(request.verified).toBe(true);
      expect(request.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request.body).id).toBe(request.key);
      expect(request.headers['livedrop-event']).toBe(JSON.parse(request.body).type);
    }
    expect(receiver.requests).toHaveLength(6);
    // Not started nor progress: only the configured types.
    expect(events.map((e) => e.type).filter((t) => t === 'upload.started')).toEqual([]);
  });

  it('WEBHOOK_EVENTS chooses the types: upload.started and upload.aborted only, here', async () => {
    receiver = await startWebhookReceiver(SECRET);
    server = await startServer(webhookEnv(receiver.url, { WEBHOOK_EVENTS: 'upload.started,upload.aborted' }));
    const [id] = await upload(server.url, ['s.txt']);
    await eventually(() => expect(receiver!.processed.size).toBe(1));
    expect([...receiver.processed.values()][0]).toMatchObject({ type: 'upload.started', upload: { id } });

    // Half a body, then the client goes away.
    const { body, contentType } = multipart([
      { name: 'file', filename: 'cut.bin', data: randomBytes(65536) },
    ]);
    const request = http.request(`${server.url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-length': body.length },
    });
    request.on('error', () => {});
    request.write(body.subarray(0, body.length / 2));
    await eventually(() => expect(receiver!.processed.size).toBe(2));
    request.destroy();
    await eventually(() => expect(receiver!.processed.size).toBe(3));
    const events = [...receiver.processed.values()];
    expect(events.map((e) => [e.type, e.upload.name])).toEqual([
      ['upload.started', 's.txt'],
      ['upload.started', 'cut.bin'],
      ['upload.aborted', 'cut.bin'],
    ]);
  });

  it('a signature made with another secret, or over another body, does not verify', async () => {
    receiver = await startWebhookReceiver('some-other-secret');
    server = await startServer(webhookEnv(receiver.url, { WEBHOOK_RETRY_FOR_MS: '1000' }));
    await upload(server.url, ['x.txt']);
    await eventually(() => expect(receiver!.requests.length).toBeGreaterThanOrEqual(2));
    expect(receiver.requests.every((r) => !r.verified && r.answered === 401)).toBe(true);
    expect(receiver.processed.size).toBe(0);
  });

  it('a receiver that answers 500 for a while, then 200, gets every event once it recovers', async () => {
    const FAILING_MS = 1500;
    let firstAt: number | undefined;
    receiver = await startWebhookReceiver(SECRET, () => {
      firstAt ??= Date.now();
      return Date.now() - firstAt < FAILING_MS ? 500 : 200;
    });
    server = await startServer(webhookEnv(receiver.url));
    const ids = await upload(server.url, ['1.txt', '2.txt', '3.txt', '4.txt', '5.txt']);

    // During the failing period the admin read shows the deliveries waiting, with the reason.
    await eventually(async () => {
      const view = await queueView(server!.url);
      expect(view.pending).toHaveLength(5);
      expect(view.pending.every((d) => d.attempts >= 1 && d.lastError === 'HTTP 500')).toBe(true);
    });

    await eventually(() => expect(receiver!.processed.size).toBe(5), 10_000);
    const processed = [...receiver.processed.values()].map((e) => e.upload.id);
    expect(processed.sort()).toEqual([...ids].sort());
    for (const key of receiver.processed.keys()) {
      const attempts = receiver.requests.filter((r) => r.key === key);
      // Retried across the failing period: several 500s, then one 200, attempts numbered 1, 2, 3…
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.map((r) => r.attempt)).toEqual(attempts.map((_, i) => i + 1));
      expect(attempts.slice(0, -1).every((r) => r.answered === 500)).toBe(true);
      expect(attempts.at(-1)!.answered).toBe(200);
      // Backoff: the waits between attempts grow.
      const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
      expect(Math.max(...gaps)).toBeGreaterThan(Math.min(...gaps));
    }
    const view = await queueView(server.url);
    expect(view.pending).toEqual([]);
    expect(view.receivers[0]).toMatchObject({ delivered: 5, pending: 0, dead: 0 });
    const metrics = await scrape(server.url);
    const receiverLabel = { receiver: `http://127.0.0.1:${receiver.port}/hooks/livedrop` };
    expect(sample(metrics, 'livedrop_webhook_deliveries_total', receiverLabel)).toBe(5);
    expect(sample(metrics, 'livedrop_webhook_failures_total', receiverLabel)).toBeGreaterThanOrEqual(10);
    expect(sample(metrics, 'livedrop_webhook_queue_depth', receiverLabel)).toBe(0);
  });

  it('a delivery whose answer is lost is sent again with the same key; the receiver processes it once', async () => {
    // The first attempt is processed but answered only after WEBHOOK_TIMEOUT_MS: livedrop retries.
    receiver = await startWebhookReceiver(SECRET, ({ attempt }) => (attempt === 1 ? 'hang' : 200));
    server = await startServer(webhookEnv(receiver.url, { WEBHOOK_TIMEOUT_MS: '300' }));
    const [id] = await upload(server.url, ['once.txt']);
    await eventually(() => expect(receiver!.requests.some((r) => r.answered === 200)).toBe(true));
    expect(receiver.requests.map((r) => r.attempt)).toEqual([1, 2]);
    expect(new Set(receiver.requests.map((r) => r.key)).size).toBe(1);
    // Both carried the same body; only one was processed.
    expect(receiver.requests[0]!.body).toBe(receiver.requests[1]!.body);
    expect([...receiver.processed.values()].map((e) => e.upload.id)).toEqual([id]);
  });

  it('a receiver that never answers holds at most WEBHOOK_CONCURRENCY requests, and uploads carry on', async () => {
    receiver = await startWebhookReceiver(SECRET, () => 'hang');
    server = await startServer(
      webhookEnv(receiver.url, { WEBHOOK_CONCURRENCY: '2', WEBHOOK_TIMEOUT_MS: '60000' }),
    );
    await upload(server.url, ['first.txt']);
    await eventually(() => expect(receiver!.open).toBe(1));
    // Twenty more uploads complete while the receiver holds every delivery slot open.
    for (let i = 0; i < 20; i++) await upload(server.url, [`more-${i}.txt`]);
    await eventually(() => expect(receiver!.open).toBe(2));
    // Every event is queued (on disk) while only two requests are out.
    await eventually(async () => expect((await queueView(server!.url)).receivers[0]!.pending).toBe(21));
    expect(receiver.requests.length).toBe(2);
  });

  it('beyond WEBHOOK_QUEUE_MAX new deliveries are dropped and counted, never blocking an upload', async () => {
    receiver = await startWebhookReceiver(SECRET, () => 503);
    server = await startServer(
      webhookEnv(receiver.url, { WEBHOOK_QUEUE_MAX: '3', WEBHOOK_RETRY_MIN_MS: '60000' }),
    );
    for (let i = 0; i < 5; i++) await upload(server.url, [`q${i}.txt`]);
    await eventually(async () => {
      const metrics = await scrape(server!.url);
      expect(sample(metrics, 'livedrop_webhook_dropped_total')).toBe(2);
    });
    expect((await queueView(server.url)).pending).toHaveLength(3);
  });

  it('gives up after WEBHOOK_RETRY_FOR_MS: the dead list, the metrics and AUTH_TOKEN on the admin read', async () => {
    receiver = await startWebhookReceiver(SECRET, () => 503);
    server = await startServer(
      webhookEnv(receiver.url, { WEBHOOK_RETRY_FOR_MS: '1000', AUTH_TOKEN: 'admin-token' }),
    );
    const auth = { authorization: 'Bearer admin-token' };
    const [id] = await upload(server.url, ['doomed.txt'], auth);
    expect((await fetch(`${server.url}/api/webhooks/queue`)).status).toBe(401);
    await eventually(async () => {
      const view = await queueView(server!.url, auth);
      expect(view.dead).toHaveLength(1);
    }, 10_000);
    const view = await queueView(server.url, auth);
    expect(view.pending).toEqual([]);
    expect(view.dead[0]).toMatchObject({ event: 'upload.completed', uploadId: id, lastError: 'HTTP 503' });
    expect(view.dead[0]!.attempts).toBeGreaterThanOrEqual(2);
    const metrics = await scrape(server.url);
    const label = { receiver: `http://127.0.0.1:${receiver.port}/hooks/livedrop` };
    expect(sample(metrics, 'livedrop_webhook_given_up_total', label)).toBe(1);
    expect(sample(metrics, 'livedrop_webhook_dead_deliveries', label)).toBe(1);
    expect(sample(metrics, 'livedrop_webhook_deliveries_total', label)).toBe(0);
  });
});
