// Resumable (tus) uploads across nodes on one Redis and one shared UPLOAD_DIR: an upload begun on a
// node that is then SIGKILLed resumes through another and completes with the exact sha256; PATCHes
// racing through two nodes never corrupt an upload (the Redis lock, server/cluster/redis-upload-locks.ts).
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../fixtures/cluster.js';
import {
  createTusUpload,
  headTus,
  OFFSET_STREAM,
  patchTus,
  TUS,
  trickledPatch,
  tusRequest,
} from '../fixtures/tus-http.js';
import { eventually } from '../fixtures/upload-server.js';
import { openWsWatcher } from '../integration/events-clients.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ nodes: 2 });
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const on = (base: string, uploadUrl: string) => new URL(new URL(uploadUrl).pathname, base).href;

/** HEAD until the lock is free (423 while a dead holder's lease lapses): the stored offset. */
async function offsetVia(uploadUrl: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const head = await headTus(uploadUrl);
    if (head.status === 200) return Number(head.headers['upload-offset']);
    expect(head.status).toBe(423);
    if (attempt > 20) throw new Error('the lock never came free');
  }
}

async function completed(base: string, id: string) {
  const upload = (await (await fetch(`${base}/api/uploads/${id}`)).json()) as {
    sha256: string;
    size: number;
  };
  const content = Buffer.from(await (await fetch(`${base}/api/uploads/${id}/content`)).arrayBuffer());
  return { upload, content };
}

describe('tus across nodes', () => {
  it('resumes through node B an upload begun on node A after A is SIGKILLed, with the exact sha256', async () => {
    const [b, c] = cluster.nodes.map((node) => node.url) as [string, string];
    const doomed = await cluster.addNode();
    const watcher = await openWsWatcher(`${b.replace('http', 'ws')}/api/events`);
    const data = randomBytes(1024 * 1024);
    const onA = await createTusUpload(doomed.url, data.length);
    const id = new URL(onA).pathname.split('/').at(-1)!;
    expect((await patchTus(onA, 0, data.subarray(0, 300 * 1024))).status).toBe(204);
    // A second PATCH is streaming into A when A dies.
    const stalled = tusRequest(
      onA,
      'PATCH',
      { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 300 * 1024, 'Content-Length': data.length - 300 * 1024 },
      [data.subarray(300 * 1024, 500 * 1024)],
      { end: false },
    ).catch(() => undefined);
    await watcher.waitFor(
      (e) => e.type === 'upload.progress' && (e.upload as { id: string; size: number }).size > 300 * 1024,
      'bytes of the second PATCH',
    );
    doomed.child.kill('SIGKILL');
    await stalled;
    // The survivors mark it paused (resumable elsewhere), not failed.
    const paused = await watcher.waitFor(
      (e) => e.type === 'upload.paused' && (e.upload as { id: string }).id === id,
      'paused by a survivor',
    );
    expect(paused.upload).toMatchObject({ status: 'paused', kind: 'resumable' });

    const onB = on(b, onA);
    const offset = await offsetVia(onB);
    expect(offset).toBeGreaterThanOrEqual(300 * 1024);
    expect(offset).toBeLessThanOrEqual(500 * 1024);
    const rest = await patchTus(onB, offset, data.subarray(offset));
    expect(rest.status).toBe(204);
    expect(Number(rest.headers['upload-offset'])).toBe(data.length);
    await eventually(async () => {
      const { upload, content } = await completed(c, id);
      expect(upload.sha256).toBe(sha256(data));
      expect(content.equals(data)).toBe(true);
    });
    watcher.socket.close();
  });

  it('lets one of two PATCHes streaming at once through two nodes write: the holder is stopped (423), the other gets 409', async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const data = randomBytes(2 * 1024 * 1024);
    const onA = await createTusUpload(a, data.length);
    const first = trickledPatch(onA, 0, data);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await trickledPatch(on(b, onA), 0, data).catch(() => ({ status: 0, offset: Number.NaN }));
    const holder = await first.catch(() => ({ status: 0, offset: Number.NaN }));
    // The first was stopped short (423, keeping what it had stored); the second found the offset moved.
    expect(holder.status).toBe(423);
    expect(second.status).toBe(409);
    const offset = await offsetVia(on(b, onA));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(data.length);
    expect((await patchTus(on(b, onA), offset, data.subarray(offset))).status).toBe(204);
    const { upload } = await completed(a, new URL(onA).pathname.split('/').at(-1)!);
    expect(upload.sha256).toBe(sha256(data));
  });

  it('never corrupts an upload when PATCHes race through two nodes (every answer 204, 409, 423, or 403 once complete)', async () => {
    const [a, b] = cluster.nodes.map((node) => node.url) as [string, string];
    const data = randomBytes(4 * 1024 * 1024);
    const onA = await createTusUpload(a, data.length);
    const onB = on(b, onA);
    const id = new URL(onA).pathname.split('/').at(-1)!;
    const statuses = new Set<number>();
    let offset = 0;
    for (let round = 0; offset < data.length && round < 30; round++) {
      // Both nodes are sent the rest at once, from the offset the client last knew.
      const answers = await Promise.all(
        [onA, onB].map((url) => patchTus(url, offset, data.subarray(offset)).catch(() => undefined)),
      );
      for (const answer of answers) if (answer) statuses.add(answer.status);
      const now = await offsetVia(round % 2 === 0 ? onA : onB);
      expect(now).toBeGreaterThanOrEqual(offset);
      offset = now;
    }
    expect(offset).toBe(data.length);
    // 403 TUS_UPLOAD_COMPLETE: the other PATCH finished the upload first. Never 404, on either node.
    expect([...statuses].filter((status) => ![204, 409, 423, 403].includes(status))).toEqual([]);
    const { upload, content } = await completed(b, id);
    expect(upload.size).toBe(data.length);
    expect(upload.sha256).toBe(sha256(data));
    expect(content.equals(data)).toBe(true);
  });
});
