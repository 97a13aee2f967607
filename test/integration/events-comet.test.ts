// The SSE and long-poll feeds on a real port, fed by the progress tracker directly (the upload
// pipeline's side is covered in events-uploads.test.ts).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLiveEvents,
  type LiveEvents,
  type LiveEventsOptions,
} from '../../server/events/live-events.js';
import type { Upload } from '../../server/uploads/upload.js';
import { openSseReader, poll } from './events-clients.js';

let app: FastifyInstance;
let live: LiveEvents;
let base: string;
/** Requests that reached their route's handler (a poll is then waiting, or answered). */
let handled = 0;

async function start(options: Partial<LiveEventsOptions> = {}): Promise<void> {
  live = createLiveEvents({
    progressIntervalMs: 0,
    heartbeatIntervalMs: 30_000,
    authToken: null,
    corsOrigins: ['https://ok.example'],
    recentUploads: () => [],
    ...options,
  });
  app = Fastify();
  handled = 0;
  app.addHook('preHandler', async () => {
    handled++;
  });
  await app.register(live.plugin);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  base = address;
}

afterEach(() => app.close());

const upload = (id: string, size = 0): Upload => ({
  id,
  name: `${id}.txt`,
  type: 'text/plain',
  size,
  expected: 100,
  status: 'uploading',
  createdAt: new Date().toISOString(),
});

describe('SSE feed', () => {
  it('starts with a snapshot, then streams every event with id = seq', async () => {
    await start();
    live.tracker.started(upload('a'));
    const reader = await openSseReader(`${base}/api/events`);
    expect(reader.status).toBe(200);
    const snapshot = await reader.waitFor((e) => e.type === 'snapshot');
    expect(snapshot).toMatchObject({ seq: 1, watchers: 1, uploads: [{ id: 'a', size: 0 }] });
    live.tracker.progress(upload('a', 50));
    live.tracker.completed({ ...upload('a', 100), status: 'completed' });
    await reader.waitFor((e) => e.type === 'upload.completed');
    expect(reader.events.map((e) => e.type)).toEqual([
      'snapshot',
      'watchers',
      'upload.progress',
      'upload.progress',
      'upload.completed',
    ]);
    expect(reader.ids).toEqual(reader.events.map((e) => e.seq));
    expect(reader.ids).toEqual([1, 2, 3, 4, 5]);
    reader.close();
  });

  it('replays exactly the missed events after Last-Event-ID', async () => {
    await start();
    const first = await openSseReader(`${base}/api/events`);
    await first.waitFor((e) => e.type === 'watchers');
    first.close();
    await until(() => live.presence.count === 0); // the server has seen it leave
    const lastSeen = first.ids.at(-1)!;
    live.tracker.started(upload('b'));
    live.tracker.progress(upload('b', 10));
    const missedUpTo = live.bus.seq;

    const again = await openSseReader(`${base}/api/events?since=0`, { 'last-event-id': String(lastSeen) });
    await again.waitFor((e) => e.type === 'watchers' && e.seq > missedUpTo);
    const replayed = again.events.filter((e) => e.seq <= missedUpTo);
    expect(replayed.map((e) => e.seq)).toEqual(range(lastSeen + 1, missedUpTo));
    expect(replayed.map((e) => e.type)).toEqual(['watchers', 'upload.started', 'upload.progress']);
    expect(again.events.some((e) => e.type === 'snapshot')).toBe(false);
    again.close();
  });

  it('falls back to a snapshot when the missed events are no longer held', async () => {
    await start({ replayCapacity: 2 });
    for (const id of ['a', 'b', 'c']) live.tracker.started(upload(id));
    const reader = await openSseReader(`${base}/api/events?since=0`);
    const snapshot = await reader.waitFor((e) => e.type === 'snapshot');
    expect(snapshot).toMatchObject({ seq: 3 });
    expect((snapshot.uploads as Upload[]).map((u) => u.id).sort()).toEqual(['a', 'b', 'c']);
    reader.close();
  });

  it('sends keep-alive comments on an idle stream', async () => {
    await start({ sseKeepAliveMs: 50 });
    const reader = await openSseReader(`${base}/api/events`);
    await reader.waitFor((e) => e.type === 'watchers');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reader.comments).toContain('keep-alive');
    reader.close();
  });

  it('403s a disallowed Origin and 401s a missing token, in the error shape', async () => {
    await start({ authToken: 'tok' });
    const evil = await openSseReader(`${base}/api/events?token=tok`, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    const anonymous = await poll(`${base}/api/events/poll`);
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'AUTH_REQUIRED' } });
    const allowed = await openSseReader(`${base}/api/events?token=tok`, { origin: 'https://ok.example' });
    expect(allowed.status).toBe(200);
    allowed.close();
  });

  it('counts SSE watchers in presence as they come and go', async () => {
    await start();
    const a = await openSseReader(`${base}/api/events`);
    await a.waitFor((e) => e.type === 'watchers' && e.count === 1);
    const b = await openSseReader(`${base}/api/events`);
    await a.waitFor((e) => e.type === 'watchers' && e.count === 2);
    b.close();
    await a.waitFor((e) => e.type === 'watchers' && e.count === 1 && e.seq > 2);
    expect(live.presence.count).toBe(1);
    a.close();
  });
});

describe('long-poll feed', () => {
  it('answers a snapshot without since, then waits for the next event', async () => {
    await start();
    const first = await poll(`${base}/api/events/poll`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ seq: 0, events: [{ type: 'snapshot', seq: 0, watchers: 0 }] });

    const waiting = poll(`${base}/api/events/poll?since=${first.body.seq}&timeout=10`);
    setTimeout(() => {
      live.tracker.started(upload('a'));
      live.tracker.progress(upload('a', 5));
    }, 50);
    const next = await waiting;
    expect(next.body.events.map((e) => [e.type, e.seq])).toEqual([
      ['upload.started', 1],
      ['upload.progress', 2],
    ]);
    expect(next.body.seq).toBe(2);
  });

  it('answers at once with what happened since, and with no events after the timeout', async () => {
    await start();
    live.tracker.started(upload('a'));
    expect((await poll(`${base}/api/events/poll?since=0&timeout=10`)).body).toMatchObject({
      seq: 1,
      events: [{ type: 'upload.started' }],
    });
    const started = Date.now();
    const idle = await poll(`${base}/api/events/poll?since=1&timeout=0.2`);
    expect(idle.body).toEqual({ events: [], seq: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('400s a bad since or timeout with EVENTS_INVALID_QUERY', async () => {
    await start();
    for (const query of ['since=-3', 'since=x', 'since=0&timeout=soon']) {
      const answer = await poll(`${base}/api/events/poll?${query}`);
      expect(answer).toMatchObject({ status: 400, body: { code: 'EVENTS_INVALID_QUERY' } });
    }
  });

  it('lets the server close while a poll is waiting, answering it', async () => {
    await start();
    const waiting = poll(`${base}/api/events/poll?since=0&timeout=30`);
    // Close only once the poll is in: one that arrives after would rightly get 503.
    await until(() => handled === 1);
    await app.close();
    expect((await waiting).body).toEqual({ events: [], seq: 0 });
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
