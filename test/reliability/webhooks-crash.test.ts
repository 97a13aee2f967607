// The webhook queue survives kill -9: livedrop (a real process) queues deliveries for a receiver that
// is down, is SIGKILLed with them still waiting, and delivers every one after a restart on the same
// UPLOAD_DIR, each with the Idempotency-Key its attempts before the crash carried, so a receiver
// honouring the key processes each event exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually, postMultipart } from '../fixtures/upload-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

const SECRET = 'crash-test-webhook-secret';
let server: ServerProcess | undefined;
let receiver: WebhookReceiver | undefined;
let dir: string | undefined;

afterEach(async () => {
  await server?.stop();
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  server = receiver = dir = undefined;
});

interface QueueView {
  pending: { idempotencyKey: string; attempts: number }[];
}

it('kill -9 with deliveries queued: all delivered after the restart, none twice', async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-webhook-crash-'));
  let down = true;
  receiver = await startWebhookReceiver(SECRET, () => (down ? 503 : 200));
  const env = {
    UPLOAD_DIR: dir,
    WEBHOOK_URLS: receiver.url,
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_RETRY_MIN_MS: '100',
    WEBHOOK_RETRY_MAX_MS: '300',
  };
  server = await startServerProcess(env);
  const ids: string[] = [];
  for (const name of ['a.txt', 'b.txt', 'c.txt']) {
    const response = await postMultipart(server.url, [{ name: 'file', filename: name, data: name }]);
    ids.push(...((await response.json()) as { uploads: { id: string }[] }).uploads.map((u) => u.id));
  }
  // Queued on disk, each tried at least once and refused, and the failures logged (the test reads the
  // log through a pipe, a moment behind the queue).
  let keysBefore: string[] = [];
  const failures = () => server!.logs.filter((line) => line.msg === 'webhook delivery failed; will retry');
  await eventually(async () => {
    const view = (await (await fetch(`${server!.url}/api/webhooks/queue`)).json()) as QueueView;
    expect(view.pending).toHaveLength(3);
    expect(view.pending.every((d) => d.attempts >= 1)).toBe(true);
    keysBefore = view.pending.map((d) => d.idempotencyKey).sort();
    expect(failures().length).toBeGreaterThanOrEqual(3);
  });
  const logs = server.logs;
  expect((await server.stop()).signal).toBe('SIGKILL');
  expect(receiver.processed.size).toBe(0);

  // The failures named the receiver but never the secret.
  expect(failures()[0]).toMatchObject({ receiver: receiver.url, error: 'HTTP 503' });
  expect(JSON.stringify(logs)).not.toContain(SECRET);

  down = false;
  server = await startServerProcess(env);
  await eventually(() => expect(receiver!.processed.size).toBe(3), 10_000);
  expect([...receiver.processed.keys()].sort()).toEqual(keysBefore);
  expect([...receiver.processed.values()].map((e) => e.upload.id).sort()).toEqual([...ids].sort());
  // Every key the receiver saw is one of the three; each was processed once.
  expect(new Set(receiver.requests.map((r) => r.key))).toEqual(new Set(keysBefore));
  await eventually(async () => {
    const view = (await (await fetch(`${server!.url}/api/webhooks/queue`)).json()) as QueueView;
    expect(view.pending).toEqual([]);
  });
});
