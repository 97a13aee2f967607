// Three livedrop nodes on one real redis-server: one live dashboard whichever node a watcher is on.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, killLogTails, slowUpload, startCluster } from '../fixtures/cluster.js';
import { eventually } from '../fixtures/upload-server.js';
import {
  type EventLog,
  type FeedEvent,
  openSseReader,
  openWsWatcher,
  startLongPoller,
} from '../integration/events-clients.js';

let cluster: Cluster;
let url: [string, string, string];
const wsUrl = (base: string, query = '') => `${base.replace('http', 'ws')}/api/events${query}`;

beforeAll(async () => {
  cluster = await startCluster({ nodes: 3, env: { PROGRESS_INTERVAL_MS: '20' } });
  url = cluster.nodes.map((node) => node.url) as [string, string, string];
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

const snapshotOf = (log: EventLog) => log.waitFor((e) => e.type === 'snapshot', 'snapshot');
const completedOf = (log: EventLog, id: string) =>
  log.waitFor(
    (e) => e.type === 'upload.completed' && (e.upload as { id: string }).id === id,
    `${id} completed`,
  );
/** By name: events of earlier cases may still be reaching a node when the next case starts. */
const startedOf = (log: EventLog, name: string) =>
  log.waitFor(
    (e) => e.type === 'upload.started' && (e.upload as { name: string }).name === name,
    `${name} started`,
  );
let uploads = 0;
const idOf = (event: FeedEvent) => (event.upload as { id: string }).id;

/** Sends `data` through `base` in pieces, waiting for `watcher` to see progress between them. */
async function uploadWatched(base: string, watcher: EventLog, data: Buffer): Promise<string> {
  const name = `watched-${++uploads}.bin`;
  const upload = slowUpload(base, data, name);
  upload.send(1024);
  const started = await startedOf(watcher, name);
  const id = idOf(started);
  for (let piece = 1; piece <= 4; piece++) {
    upload.send(64 * 1024);
    await watcher.waitFor(
      (e) =>
        e.type === 'upload.progress' &&
        idOf(e) === id &&
        (e.upload as { size: number }).size > piece * 64 * 1024 - 4096,
      `progress ${piece}`,
    );
  }
  const answer = await upload.finish();
  expect(answer.status).toBe(201);
  return id;
}

describe('three nodes on Redis', () => {
  it('an upload through node A is watched live from B and C over WebSocket, SSE and long-poll with identical seq lists', async () => {
    const watchers: (EventLog & { close?: () => void })[] = [
      await openWsWatcher(wsUrl(url[1])),
      await openWsWatcher(wsUrl(url[2])),
      await openSseReader(`${url[1]}/api/events`),
      await openSseReader(`${url[2]}/api/events`),
      startLongPoller(url[1]),
      startLongPoller(url[2]),
    ];
    try {
      await Promise.all(watchers.map(snapshotOf));
      const id = await uploadWatched(url[0], watchers[0]!, randomBytes(300 * 1024));
      const completed = await Promise.all(watchers.map((w) => completedOf(w, id)));
      const started = watchers[0]!.events.find((e) => e.type === 'upload.started' && idOf(e) === id)!;
      // Every event of that stretch, whatever its type, on every feed: the same seqs, each the last + 1.
      const stretch = (log: EventLog) =>
        log.events.filter((e) => e.type !== 'snapshot' && e.seq >= started.seq && e.seq <= completed[0]!.seq);
      const reference = stretch(watchers[0]!).map((e) => e.seq);
      expect(reference.length).toBeGreaterThan(5);
      expect(reference).toEqual(reference.map((_, i) => started.seq + i));
      for (const watcher of watchers) expect(stretch(watcher).map((e) => e.seq)).toEqual(reference);
      const progress = stretch(watchers[0]!).filter((e) => e.type === 'upload.progress').length;
      expect(progress).toBeGreaterThanOrEqual(4);
    } finally {
      for (const watcher of watchers) {
        if ('socket' in watcher) (watcher as { socket: { close(): void } }).socket.close();
        else if ('stop' in watcher) (watcher as { stop(): void }).stop();
        else watcher.close?.();
      }
    }
  });

  it('a watcher that disconnects from B and reconnects to C with since gets exactly the missed events', async () => {
    const reference = await openWsWatcher(wsUrl(url[0]));
    const onB = await openWsWatcher(wsUrl(url[1]));
    await Promise.all([snapshotOf(reference), snapshotOf(onB)]);
    await eventually(() => expect(onB.events.at(-1)?.type).toBe('watchers'));
    const lastSeen = onB.events.at(-1)!.seq;
    onB.socket.close();
    const id = await uploadWatched(url[0], reference, randomBytes(300 * 1024));
    const done = await completedOf(reference, id);
    const onC = await openWsWatcher(wsUrl(url[2], `?since=${lastSeen}`));
    await completedOf(onC, id);
    const missed = reference.events.filter((e) => e.seq > lastSeen && e.seq <= done.seq);
    expect(onC.events[0]!.type).not.toBe('snapshot');
    expect(onC.events.filter((e) => e.seq <= done.seq)).toEqual(missed);
    reference.socket.close();
    onC.socket.close();
  });

  it('counts the watchers on every node in one presence total, and drops them as they leave', async () => {
    const counter = await openWsWatcher(wsUrl(url[0]));
    await snapshotOf(counter);
    const latestCount = () => counter.events.filter((e) => e.type === 'watchers').at(-1)?.count;
    // The earlier tests' watchers have all left: this one is alone.
    await eventually(() => expect(latestCount()).toBe(1));
    const onB = await openWsWatcher(wsUrl(url[1]));
    const onC = await openSseReader(`${url[2]}/api/events`);
    await eventually(() => expect(latestCount()).toBe(3));
    onB.socket.close();
    onC.close();
    await eventually(() => expect(latestCount()).toBe(1));
    counter.socket.close();
  });

  it('heals by itself after CLIENT KILL of every node connection: the next upload reaches every node', async () => {
    const watchers = [await openWsWatcher(wsUrl(url[1])), await openWsWatcher(wsUrl(url[2]))];
    await Promise.all(watchers.map(snapshotOf));
    await cluster.redis.command('CLIENT', 'KILL', 'TYPE', 'normal');
    const id = await uploadWatched(url[0], watchers[0]!, randomBytes(300 * 1024));
    const [onB, onC] = await Promise.all(watchers.map((w) => completedOf(w, id)));
    expect(onB!.seq).toBe(onC!.seq);
    for (const watcher of watchers) {
      const seqs = watcher.events
        .filter((e) => e.type !== 'snapshot' && !e.type.startsWith('feed.'))
        .map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
      watcher.socket.close();
    }
  });

  it('lists, serves and deletes an upload from every node, whichever node stored it (one shared index)', async () => {
    const data = randomBytes(100 * 1024);
    const answer = await slowUpload(url[0], data, 'shared.bin').finish();
    expect(answer.status).toBe(201);
    const { id, sha256 } = answer.body.uploads[0]!;
    for (const base of [url[1], url[2]]) {
      await eventually(async () => {
        const list = (await (await fetch(`${base}/api/uploads`)).json()) as { uploads: { id: string }[] };
        expect(list.uploads.map((u) => u.id)).toContain(id);
      });
      const got = (await (await fetch(`${base}/api/uploads/${id}`)).json()) as { sha256: string };
      expect(got.sha256).toBe(sha256);
      const content = Buffer.from(await (await fetch(`${base}/api/uploads/${id}/content`)).arrayBuffer());
      expect(content.equals(data)).toBe(true);
    }
    expect((await fetch(`${url[1]}/api/uploads/${id}`, { method: 'DELETE' })).status).toBe(204);
    for (const base of [url[0], url[2]]) {
      await eventually(async () => expect((await fetch(`${base}/api/uploads/${id}`)).status).toBe(404));
    }
  });

  it('serves an upload from another node right after its 201, before that node has read the completion from the log', async () => {
    for (let round = 0; round < 3; round++) {
      const data = randomBytes(32 * 1024);
      await killLogTails(cluster.redis);
      const answer = await slowUpload(url[0], data, 'just-now.bin').finish();
      expect(answer.status).toBe(201);
      const { id } = answer.body.uploads[0]!;
      const got = await fetch(`${url[1]}/api/uploads/${id}`);
      expect(got.status).toBe(200);
      const content = await fetch(`${url[2]}/api/uploads/${id}/content`);
      expect(Buffer.from(await content.arrayBuffer()).equals(data)).toBe(true);
    }
  });

  it("leaves another live node's upload in progress alone when a node starts on the same UPLOAD_DIR", async () => {
    const watcher = await openWsWatcher(wsUrl(url[0]));
    await snapshotOf(watcher);
    const data = randomBytes(256 * 1024);
    const upload = slowUpload(url[0], data, 'spared-by-the-sweep.bin');
    upload.send(100 * 1024);
    const started = await startedOf(watcher, 'spared-by-the-sweep.bin');
    await watcher.waitFor((e) => e.type === 'upload.progress' && idOf(e) === idOf(started), 'progress');
    const late = await cluster.addNode(); // its start-up sweep runs now, on the shared directory
    const answer = await upload.finish();
    expect(answer.status).toBe(201);
    // The late node's index is a replica fed by the shared log: it learns of the completion shortly after.
    await eventually(async () => {
      const content = Buffer.from(
        await (await fetch(`${late.url}/api/uploads/${idOf(started)}/content`)).arrayBuffer(),
      );
      expect(content.equals(data)).toBe(true);
    });
    await late.stop();
    watcher.socket.close();
  });

  it('marks the uploads of a node killed with SIGKILL failed (NODE_LOST) from the survivors, and drops its watchers', async () => {
    const doomed = await cluster.addNode();
    const watcher = await openWsWatcher(wsUrl(url[0]));
    await snapshotOf(watcher);
    const onDoomed = await openWsWatcher(wsUrl(doomed.url));
    await snapshotOf(onDoomed);
    const upload = slowUpload(doomed.url, randomBytes(200 * 1024), 'on-the-doomed-node.bin');
    upload.send(50 * 1024);
    const started = await startedOf(watcher, 'on-the-doomed-node.bin');
    const countBefore = () => watcher.events.filter((e) => e.type === 'watchers').at(-1)?.count as number;
    const before = countBefore();
    doomed.child.kill('SIGKILL');
    upload.abort();
    const killedAt = Date.now();
    const failed = await watcher.waitFor(
      (e) => e.type === 'upload.failed' && idOf(e) === idOf(started),
      'failed',
      8000,
    );
    expect(failed.error).toMatchObject({ code: 'NODE_LOST' });
    // NODE_TIMEOUT_MS (1.5 s) + a heartbeat (0.2 s), with room for a busy machine.
    expect(Date.now() - killedAt).toBeLessThan(6000);
    await eventually(() => expect(countBefore()).toBe(before - 1), 8000);
    watcher.socket.close();
  });
});
