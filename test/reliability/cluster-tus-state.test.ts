// The tus state every node must agree on (issue 12, Build 1): a removed upload answers 410 on every
// node, the expiry sweep of one node never removes an upload another node is writing, and a node
// never announces `paused` for an upload that goes on through another node. Two real nodes on one
// redis-server and one shared UPLOAD_DIR, with the shortest idle and expiry times the settings allow.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, killLogTails, startCluster } from '../fixtures/cluster.js';
import {
  createTusUpload,
  headTus,
  patchTus,
  sha256Hex,
  TUS,
  trickledPatch,
  tusRequest,
} from '../fixtures/tus-http.js';
import { eventually } from '../fixtures/upload-server.js';
import { openWsWatcher } from '../integration/events-clients.js';

let cluster: Cluster;
beforeAll(async () => {
  // An idle upload is paused 1 s and removed 2 s after its last PATCH; sweeps run every 500 ms.
  cluster = await startCluster({ nodes: 2, env: { UPLOAD_IDLE_TIMEOUT: '1000', TUS_EXPIRATION: '2000' } });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const idOf = (uploadUrl: string) => new URL(uploadUrl).pathname.split('/').at(-1)!;
const via = (base: string, uploadUrl: string) => new URL(new URL(uploadUrl).pathname, base).href;

async function completedSha256(base: string, id: string): Promise<string> {
  const response = await fetch(`${base}/api/uploads/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { sha256: string }).sha256;
}

describe('tus state shared by every node', () => {
  it('answers 410 on node B for an upload terminated through node A, for HEAD and PATCH', async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const onA = await createTusUpload(a, 1024);
    expect((await tusRequest(onA, 'DELETE', TUS)).status).toBe(204);
    expect((await headTus(via(b, onA))).status).toBe(410);
    expect((await patchTus(via(b, onA), 0, randomBytes(1024))).status).toBe(410);
    // An id no node ever issued stays 404.
    expect((await headTus(`${b}/api/tus/${'x'.repeat(idOf(onA).length)}`)).status).toBe(404);
  });

  it('knows on node B, at once, an upload just completed through node A (HEAD 200, PATCH 403, never 404)', async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    for (let round = 0; round < 5; round++) {
      const data = randomBytes(64 * 1024);
      const onA = await createTusUpload(a, data.length);
      // Every node's tail loses its connection (it reconnects within ~50 ms): the completion
      // reaches Redis at once but B's copy of the log only later.
      await killLogTails(cluster.redis);
      expect((await patchTus(onA, 0, data)).status).toBe(204);
      const head = await headTus(via(b, onA));
      expect(head.status).toBe(200);
      expect(head.headers['upload-offset']).toBe(String(data.length));
      expect((await patchTus(via(b, onA), data.length, Buffer.alloc(0))).status).toBe(403);
    }
  });

  it("leaves an upload alone in node A's expiry sweep while a PATCH through node B outlasts TUS_EXPIRATION", async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const data = randomBytes(2 * 1024 * 1024);
    const onA = await createTusUpload(a, data.length);
    // 32 pieces, one every 100 ms: about 3 s of writing through B, longer than TUS_EXPIRATION.
    const patch = await trickledPatch(via(b, onA), 0, data, 100);
    expect(patch).toEqual({ status: 204, offset: data.length });
    expect(await completedSha256(a, idOf(onA))).toBe(sha256Hex(data));
  });

  it('announces no pause from node A while the upload goes on through node B, and pauses once when it stops', async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const watcher = await openWsWatcher(`${a.replace('http', 'ws')}/api/events`);
    const data = randomBytes(3 * 1024 * 1024);
    const onA = await createTusUpload(a, data.length);
    const id = idOf(onA);
    const eventsOf = () =>
      watcher.uploadEvents().filter((event) => (event.upload as { id: string } | undefined)?.id === id);
    // A first piece through A leaves more to come: A's idle timer starts (1 s).
    expect((await patchTus(onA, 0, data.subarray(0, 512 * 1024))).status).toBe(204);
    // The next PATCH goes through B and writes for about 2 s, past A's idle timer.
    const second = await trickledPatch(
      via(b, onA),
      512 * 1024,
      data.subarray(512 * 1024, 2 * 1024 * 1024),
      80,
    );
    expect(second).toEqual({ status: 204, offset: 2 * 1024 * 1024 });
    expect(eventsOf().filter((event) => event.type === 'upload.paused')).toEqual([]);
    // Now nobody writes: B (whose PATCH was the last) announces the pause, once, at its stored size.
    const paused = await watcher.waitFor(
      (event) => event.type === 'upload.paused' && (event.upload as { id: string }).id === id,
      'paused after the idle time',
    );
    expect((paused.upload as { size: number }).size).toBe(2 * 1024 * 1024);
    // It expires 2 s after that PATCH (TUS_EXPIRATION); by then A's and B's timers have both run.
    await watcher.waitFor(
      (event) => event.type === 'upload.expired' && (event.upload as { id: string }).id === id,
      'expired after TUS_EXPIRATION',
    );
    expect(eventsOf().filter((event) => event.type === 'upload.paused')).toHaveLength(1);
    await eventually(async () => expect((await headTus(via(a, onA))).status).toBe(410));
    watcher.socket.close();
  });
});
