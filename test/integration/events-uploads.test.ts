// The live feeds watching real multipart uploads on a real port: `ws` WebSocket watchers, an SSE
// reader and a long-poller all see the same events with the same seq numbers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppOptions, buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { multipart, type Part, storageEnv } from '../fixtures/upload-server.js';
import {
  type EventLog,
  type FeedEvent,
  openSseReader,
  openWsWatcher,
  startLongPoller,
  type WsWatcher,
} from './events-clients.js';

let app: FastifyInstance;
let base: string;
let dir: string;
const cleanups: (() => void)[] = [];

async function start(env: Record<string, string> = {}, options: AppOptions = {}): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'livedrop-events-'));
  const config = loadConfig({
    UPLOAD_DIR: dir,
    LOG_LEVEL: 'silent',
    PROGRESS_INTERVAL_MS: '10',
    ...(await storageEnv(dir)),
    ...env,
  });
  app = await buildApp(config, options);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const wsUrl = (query = '') => `${base.replace('http', 'ws')}/api/events${query}`;

async function watcher(query = ''): Promise<WsWatcher> {
  const ws = await openWsWatcher(wsUrl(query));
  cleanups.push(() => ws.socket.terminate());
  return ws;
}

interface FilePart {
  data: Buffer;
  name?: string;
  /** Sent as the `size` field before the part. */
  size?: number;
  thumbnail?: string;
}

interface PostOptions {
  ref?: string;
  /** Pause between 64 KiB chunks, so the upload takes long enough to report progress. */
  pauseMs?: number;
  /** Stop after this many body bytes and destroy the connection (a client going away). */
  abortAfter?: number;
  headers?: Record<string, string>;
}

/** Streams a multipart/form-data POST /api/uploads; resolves with the status and parsed body. */
function postUpload(
  files: FilePart[],
  options: PostOptions = {},
): Promise<{ status: number; body: unknown }> {
  const parts: Part[] = [];
  for (const [i, file] of files.entries()) {
    if (file.size !== undefined) parts.push({ name: 'size', value: String(file.size) });
    if (file.thumbnail !== undefined) parts.push({ name: 'thumbnail', value: file.thumbnail });
    parts.push({ name: 'file', filename: file.name ?? `f${i}.bin`, data: file.data });
  }
  const { body, contentType } = multipart(parts);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/uploads`,
      {
        method: 'POST',
        headers: {
          'content-type': contentType,
          'content-length': body.length,
          ...(options.ref && { 'x-upload-ref': options.ref }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', (error) =>
      options.abortAfter === undefined ? reject(error) : resolve({ status: 0, body: null }),
    );
    void (async () => {
      const end = options.abortAfter ?? body.length;
      for (let offset = 0; offset < end; offset += 64 * 1024) {
        if (!req.write(body.subarray(offset, Math.min(offset + 64 * 1024, end)))) {
          await new Promise((drained) => req.once('drain', drained));
        }
        if (options.pauseMs) await sleep(options.pauseMs);
      }
      if (options.abortAfter === undefined) req.end();
      else {
        await sleep(100); // let the server store what it got, then vanish mid-body
        req.destroy();
        resolve({ status: 0, body: null });
      }
    })();
  });
}

/** The events a feed saw about one upload, as [seq, type, size]. */
function trail(log: EventLog, id: string): [number, string, number][] {
  return log
    .uploadEvents()
    .filter((e) => (e.upload as { id: string }).id === id)
    .map((e) => [e.seq, e.type, (e.upload as { size: number }).size]);
}

const uploadOf = (e: FeedEvent) => e.upload as { id: string; ref?: string; size: number; sha256?: string };

describe('live events of real uploads', () => {
  it('shows every feed snapshot → started → rising progress → completed, with the same seq numbers', async () => {
    await start();
    const watchers = [await watcher(), await watcher(), await watcher()];
    const sse = await openSseReader(`${base}/api/events`);
    cleanups.push(() => sse.close());
    const poller = startLongPoller(base);
    cleanups.push(() => poller.stop());
    await poller.waitFor((e) => e.type === 'snapshot');
    await watchers[0]!.waitFor((e) => e.type === 'watchers' && e.count === 4);

    const data = randomBytes(1024 * 1024 + 123);
    const posted = await postUpload([{ data, size: data.length }], { ref: 'first', pauseMs: 15 });
    expect(posted.status).toBe(201);
    const feeds: EventLog[] = [...watchers, sse, poller];
    const completions = await Promise.all(
      feeds.map((feed) => feed.waitFor((e) => e.type === 'upload.completed' && uploadOf(e).ref === 'first')),
    );
    const id = uploadOf(completions[0]!).id;

    for (const feed of feeds) {
      expect(feed.events[0]?.type).toBe('snapshot');
      const events = trail(feed, id);
      expect(events[0]?.[1]).toBe('upload.started');
      expect(events.at(-1)?.[1]).toBe('upload.completed');
      const progress = events.filter(([, type]) => type === 'upload.progress').map(([, , size]) => size);
      expect(progress.length).toBeGreaterThan(1);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(data.length); // the final count precedes completed
      // Seq rises by one per event server-wide, so per upload it only rises.
      expect(events.map(([seq]) => seq)).toEqual([...events.map(([seq]) => seq)].sort((a, b) => a - b));
      expect(events).toEqual(trail(watchers[0]!, id));
    }
    for (const completed of completions) {
      expect(uploadOf(completed)).toMatchObject({
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
      });
    }
  });

  it('announces an upload whose client goes away as upload.aborted', async () => {
    await start();
    const ws = await watcher();
    const data = randomBytes(512 * 1024);
    await postUpload([{ data }], { ref: 'gone', abortAfter: 256 * 1024 });
    const aborted = await ws.waitFor((e) => e.type === 'upload.aborted');
    expect(uploadOf(aborted)).toMatchObject({ ref: 'gone', status: 'aborted' });
    expect(trail(ws, uploadOf(aborted).id).map(([, type]) => type)[0]).toBe('upload.started');
  });

  it('announces a file over MAX_FILE_SIZE as upload.failed with UPLOAD_FILE_TOO_LARGE', async () => {
    await start({ MAX_FILE_SIZE: '256KiB' });
    const ws = await watcher();
    const posted = await postUpload([{ data: randomBytes(512 * 1024) }], { ref: 'big' });
    expect(posted.status).toBe(413);
    const failed = await ws.waitFor((e) => e.type === 'upload.failed');
    expect(failed).toMatchObject({
      upload: { ref: 'big', status: 'failed' },
      error: { code: 'UPLOAD_FILE_TOO_LARGE' },
    });
  });

  it('replays exactly the missed events to a watcher that reconnects with since', async () => {
    await start();
    const steady = await watcher();
    const leaving = await watcher();
    await leaving.waitFor((e) => e.type === 'watchers' && e.count === 2);
    const lastSeen = leaving.events.at(-1)!.seq;
    leaving.socket.close();
    await steady.waitFor((e) => e.type === 'watchers' && e.count === 1);

    const data = randomBytes(300 * 1024);
    expect((await postUpload([{ data }], { ref: 'missed', pauseMs: 5 })).status).toBe(201);
    await steady.waitFor((e) => e.type === 'upload.completed');
    const missed = steady.events.filter((e) => e.seq > lastSeen);

    const back = await watcher(`?since=${lastSeen}`);
    const rejoined = await back.waitFor((e) => e.type === 'watchers' && e.count === 2);
    const replayed = back.events.filter((e) => e.seq < rejoined.seq);
    expect(replayed).toEqual(missed);
    expect(replayed.map((e) => e.type)).toContain('upload.completed');
    expect(back.events.some((e) => e.type === 'snapshot')).toBe(false);
  });

  it('starts a watcher whose since is too old or unknown with a fresh snapshot', async () => {
    await start({}, { events: { replayCapacity: 2 } });
    await postUpload([{ data: randomBytes(1000) }]);
    for (const since of ['0', '999']) {
      const late = await watcher(`?since=${since}`);
      const first = await late.waitFor(() => true);
      expect(first).toMatchObject({ type: 'snapshot', seq: app.liveEvents.bus.seq - 1 });
      expect((first.uploads as { size: number }[]).map((u) => u.size)).toEqual([1000]);
      late.socket.terminate();
    }
  });

  it('403s a WebSocket or SSE watcher from an origin not in CORS_ORIGINS, and admits a listed one', async () => {
    await start({ CORS_ORIGINS: 'https://ok.example' });
    await expect(openWsWatcher(wsUrl(), { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    const sse = await openSseReader(`${base}/api/events`, { origin: 'https://evil.example' });
    expect(sse.status).toBe(403);
    const okSse = await openSseReader(`${base}/api/events`, { origin: 'https://ok.example' });
    expect(okSse.status).toBe(200);
    expect(okSse.headers['access-control-allow-origin']).toBe('https://ok.example'); // EventSource may read it
    okSse.close();
    const ok = await openWsWatcher(wsUrl(), { origin: 'https://ok.example' });
    await ok.waitFor((e) => e.type === 'snapshot');
    ok.socket.terminate();
    const sameOrigin = await openWsWatcher(wsUrl(), { origin: base });
    await sameOrigin.waitFor((e) => e.type === 'snapshot');
    sameOrigin.socket.terminate();
  });

  it('401s a watcher without the AUTH_TOKEN, 400s a bad since, and admits ?token=', async () => {
    await start({ AUTH_TOKEN: 'sesame' });
    await expect(openWsWatcher(wsUrl())).rejects.toThrow('HTTP 401');
    await expect(openWsWatcher(wsUrl('?token=wrong'))).rejects.toThrow('HTTP 401');
    const sse = await openSseReader(`${base}/api/events`);
    expect(sse.status).toBe(401);
    await expect(openWsWatcher(wsUrl('?token=sesame&since=soon'))).rejects.toThrow('HTTP 400');
    const ws = await openWsWatcher(wsUrl('?token=sesame'));
    await ws.waitFor((e) => e.type === 'snapshot');
    ws.socket.terminate();
  });

  it('counts WebSocket and SSE watchers together, announcing each join and leave to all', async () => {
    await start();
    const ws = await watcher();
    const sse = await openSseReader(`${base}/api/events`);
    await ws.waitFor((e) => e.type === 'watchers' && e.count === 2);
    await sse.waitFor((e) => e.type === 'watchers' && e.count === 2);
    const second = await watcher();
    const three = await sse.waitFor((e) => e.type === 'watchers' && e.count === 3);
    second.socket.close();
    await sse.waitFor((e) => e.type === 'watchers' && e.count === 2 && e.seq > three.seq);
    sse.close();
    await ws.waitFor((e) => e.type === 'watchers' && e.count === 1 && e.seq > three.seq);
    expect(app.liveEvents.presence.count).toBe(1);
  });
});
