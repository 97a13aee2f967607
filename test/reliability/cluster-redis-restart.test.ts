// Redis restarts under three nodes, with and without persistence: uploads go on being accepted,
// watchers are told the feed is degraded, and afterwards every watcher on every feed converges on
// the same uploads, with nothing acknowledged missing (a new epoch means a fresh snapshot).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent as WebFeedEvent } from '../../web/api-types.js';
import { applyFeedEvent, emptyFeedState, type FeedState } from '../../web/feed-state.js';
import { type Cluster, startCluster } from '../fixtures/cluster.js';
import { eventually, postMultipart } from '../fixtures/upload-server.js';
import {
  type EventLog,
  openSseReader,
  openWsWatcher,
  poll,
  type SseReader,
  startLongPoller,
  type WsWatcher,
} from '../integration/events-clients.js';

let cluster: Cluster;
let ws: WsWatcher;
let sse: SseReader;
let poller: EventLog & { stop(): void };

beforeAll(async () => {
  cluster = await startCluster({ nodes: 3, persistence: true });
  const [a, b, c] = cluster.nodes.map((node) => node.url) as [string, string, string];
  ws = await openWsWatcher(`${a.replace('http', 'ws')}/api/events`);
  sse = await openSseReader(`${b}/api/events`);
  poller = startLongPoller(c);
}, 60_000);
afterAll(async () => {
  ws?.socket.close();
  sse?.close();
  poller?.stop();
  await cluster?.stop();
});

/** What the dashboard would show, folded with the web UI's own rules. */
const stateOf = (log: EventLog): FeedState =>
  log.events.reduce(
    (state, event) => applyFeedEvent(state, event as unknown as WebFeedEvent).state,
    emptyFeedState,
  );
const completedIds = (state: FeedState) =>
  [...state.uploads.values()]
    .filter((u) => u.status === 'completed')
    .map((u) => u.id)
    .sort();

async function upload(base: string): Promise<string> {
  const response = await postMultipart(base, [{ name: 'file', filename: 'f.bin', data: randomBytes(4096) }]);
  expect(response.status).toBe(201);
  return ((await response.json()) as { uploads: { id: string }[] }).uploads[0]!.id;
}

describe('Redis restarting under three nodes', () => {
  const acknowledged: string[] = [];

  it.each([
    { persistence: true, newEpoch: false },
    { persistence: false, newEpoch: true },
  ])(
    'persistence $persistence: uploads accepted meanwhile, watchers told, then converged, none missing',
    async ({ persistence, newEpoch }) => {
      const [a, b, c] = cluster.nodes.map((node) => node.url) as [string, string, string];
      acknowledged.push(await upload(a));
      await eventually(() => expect(completedIds(stateOf(poller))).toEqual([...acknowledged].sort()));
      const epochBefore = ws.events.findLast((e) => e.type !== 'feed.degraded')!.seq;

      const seenBefore = ws.events.length;
      await cluster.redis.restart({
        persistence,
        whileDown: async () => {
          await eventually(
            () => expect(ws.events.slice(seenBefore).some((e) => e.type === 'feed.degraded')).toBe(true),
            15_000,
          );
          // Redis is down: uploads are still stored and acknowledged.
          acknowledged.push(await upload(b));
        },
      });

      const logs = [ws, sse, poller];
      // The missed uploads may arrive before a feed's `feed.restored`: wait for both.
      await eventually(() => {
        for (const log of logs) expect(completedIds(stateOf(log))).toEqual([...acknowledged].sort());
        for (const log of logs) expect(stateOf(log).degraded).toBe(false);
      }, 15_000);
      // A new epoch's seqs are above the old ones; with persistence the log simply went on.
      const resets = ws.events.filter((e) => e.type === 'snapshot' && e.seq > epochBefore).length;
      expect(resets > 0).toBe(newEpoch);
      // A dashboard opening now, on any node, sees every acknowledged upload.
      for (const base of [a, b, c]) {
        const { body } = await poll(`${base}/api/events/poll`);
        const snapshot = body.events[0] as unknown as { uploads: { id: string }[] };
        expect(snapshot.uploads.map((u) => u.id).sort()).toEqual([...acknowledged].sort());
      }
    },
    60_000,
  );
});
