// Webhooks in cluster mode: two livedrop nodes on one real redis-server, sharing UPLOAD_DIR, both
// with the same WEBHOOK_URLS. Every node hears every event on the shared bus; each event must still
// reach the receiver once (one node claims it in Redis), whichever node the upload went through, and
// each node keeps its own queue under UPLOAD_DIR/.webhooks/<NODE_ID>.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../fixtures/cluster.js';
import { eventually, postMultipart } from '../fixtures/upload-server.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fixtures/webhook-receiver.js';

const SECRET = 'cluster-webhook-secret';
let cluster: Cluster;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  cluster = await startCluster({
    nodes: 2,
    env: { WEBHOOK_URLS: receiver.url, WEBHOOK_SECRET: SECRET, WEBHOOK_RETRY_MIN_MS: '50' },
  });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await receiver?.close();
});

async function upload(base: string, name: string): Promise<string> {
  const response = await postMultipart(base, [{ name: 'file', filename: name, data: `bytes of ${name}` }]);
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploads: { id: string }[] }).uploads[0]!.id;
}

it('two nodes on one Redis: each event is delivered once, whichever node it happened on', async () => {
  const [a, b] = cluster.nodes;
  const first = await upload(a!.url, 'via-a.txt');
  const second = await upload(b!.url, 'via-b.txt');
  // Deleted through the other node than the one it was uploaded through.
  expect((await fetch(`${b!.url}/api/uploads/${first}`, { method: 'DELETE' })).status).toBe(204);

  await eventually(() => expect(receiver.processed.size).toBe(3), 10_000);
  const events = [...receiver.processed.values()].map((e) => [e.type, e.upload.id]);
  expect(events.sort()).toEqual(
    [
      ['upload.completed', first],
      ['upload.completed', second],
      ['upload.deleted', first],
    ].sort(),
  );
  // Give a second node time to send a copy, then check none came: one request per event.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.requests).toHaveLength(3);
  expect(receiver.requests.every((r) => r.verified)).toBe(true);
  // One queue per node.
  expect((await readdir(join(cluster.uploadDir, '.webhooks'))).sort()).toHaveLength(2);
});
