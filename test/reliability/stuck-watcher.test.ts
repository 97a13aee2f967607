// Watchers that get stuck must cost the server nothing once they are gone. The server is a child
// process (so its file descriptors can be counted in /proc) with a 2 s heartbeat. Stuck watchers are
// raw TCP sockets that complete the WebSocket handshake and then never read and never answer a ping,
// while uploads keep the feed busy. Each is dropped (the healthy watcher sees the presence count fall
// back), and the server's open file descriptors return to their baseline.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, multipart, rawPost } from '../fixtures/upload-server.js';
import { openWsWatcher, type WsWatcher } from '../integration/events-clients.js';
import { openFds, type ServerProcess, startServerProcess } from './server-process.js';
import { openStuckWatcher } from './stuck-watcher-socket.js';

const STUCK = 5;
let server: ServerProcess | undefined;
let healthy: WsWatcher | undefined;
const stuck: Socket[] = [];
let dir: string;

afterEach(async () => {
  for (const socket of stuck.splice(0)) socket.destroy();
  healthy?.socket.terminate();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The presence count the healthy watcher saw last (from its snapshot or a `watchers` event). */
function lastCount(watcher: WsWatcher): unknown {
  const event = watcher.events.findLast((e) => e.type === 'watchers' || e.type === 'snapshot');
  return event?.type === 'snapshot' ? event.watchers : event?.count;
}

describe('stuck watchers', () => {
  it('are dropped, and the server is back to its baseline of open file descriptors', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-stuck-'));
    server = await startServerProcess({ UPLOAD_DIR: dir, HEARTBEAT_INTERVAL_MS: '2000' });
    healthy = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
    await eventually(() => expect(lastCount(healthy!)).toBe(1));
    const baseline = openFds(server.pid);

    for (let i = 0; i < STUCK; i++) stuck.push(await openStuckWatcher(server.port));
    await eventually(() => expect(lastCount(healthy!)).toBe(1 + STUCK));
    expect(openFds(server.pid)).toBeGreaterThanOrEqual(baseline + STUCK);

    // Keep the feed busy while they are stuck: every upload is a few events for each of them.
    for (let i = 0; i < 10; i++) {
      const { body, contentType } = multipart([
        { name: 'file', filename: `f${i}.bin`, data: randomBytes(100_000) },
      ]);
      // Its own connection, closed after the answer: a kept-alive one would count as an open fd.
      const response = await rawPost(server.url, { 'content-type': contentType, connection: 'close' }, [
        body,
      ]);
      expect(response.status).toBe(201);
    }

    await eventually(() => expect(lastCount(healthy!)).toBe(1), 10_000);
    await eventually(() => expect(openFds(server!.pid)).toBeLessThanOrEqual(baseline), 10_000);
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
  });
});
