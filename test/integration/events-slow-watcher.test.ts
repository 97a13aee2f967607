// A watcher that stops reading must not slow uploads or the other watchers, and is eventually
// closed with 1008. The stuck watcher is a raw TCP socket that completes the WebSocket handshake and
// then never reads. Node cannot shrink a socket's receive buffer, so the kernel first absorbs a few
// MiB for it: the test posts batches of files with 16 KiB thumbnails (carried by `started` and
// `completed`) until the server gives up on the stuck watcher.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { sample, scrape } from '../fixtures/metrics.js';
import { multipart, type Part, rawPost, storageEnv } from '../fixtures/upload-server.js';
import { type FeedEvent, openWsWatcher, type WsWatcher } from './events-clients.js';

let app: FastifyInstance;
let dir: string;
let stuck: Socket | undefined;
const healthy: WsWatcher[] = [];

afterEach(async () => {
  stuck?.destroy();
  for (const watcher of healthy.splice(0)) watcher.socket.terminate();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const FILES_PER_BATCH = 100;
// Just under the 16 KiB limit on thumbnails, including the data-URL prefix.
const THUMBNAIL = `data:image/png;base64,${randomBytes(12_000).toString('base64')}`;

/** One POST with FILES_PER_BATCH small files, each with a thumbnail. */
async function postBatch(base: string, ref: string): Promise<number> {
  const parts: Part[] = [];
  for (let i = 0; i < FILES_PER_BATCH; i++) {
    parts.push(
      { name: 'thumbnail', value: THUMBNAIL },
      { name: 'file', filename: `f${i}.bin`, data: randomBytes(1024) },
    );
  }
  const { body, contentType } = multipart(parts);
  const headers = { 'content-type': contentType, 'content-length': body.length, 'x-upload-ref': ref };
  return (await rawPost(base, headers, [body])).status;
}

const WEBSOCKET_REQUEST = () =>
  'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const SSE_REQUEST = () => 'GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';

/** Opens a feed by hand and stops reading right after the response head (`status` checked). */
function openStuckWatcher(port: number, requestText: string, status: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(requestText));
    socket.once('data', (chunk) => {
      socket.pause();
      // Whatever came after the response head is put back to be read later with the rest.
      const head = chunk.indexOf('\r\n\r\n');
      if (!chunk.toString('latin1', 0, head).startsWith(`HTTP/1.1 ${status}`))
        reject(new Error(String(chunk)));
      socket.unshift(chunk.subarray(head + 4));
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

/** Reads server frames (unmasked, RFC 6455 §5.2) until the close frame; returns its status code. */
function readUntilClose(socket: Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        if (buffered.length < 2) return;
        const opcode = buffered[0]! & 0x0f;
        let length = buffered[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        if (opcode === 0x8) return resolve(buffered.readUInt16BE(offset));
        buffered = buffered.subarray(offset + length);
      }
    });
    socket.on('close', () => reject(new Error('closed without a close frame')));
    socket.resume();
  });
}

/** Posts batches until a healthy watcher sees the stuck one leave; checks nobody waited for it. */
async function uploadUntilDropped(base: string, stuckKind: 'ws' | 'sse'): Promise<void> {
  const wsBase = `${base.replace('http', 'ws')}/api/events`;
  healthy.push(await openWsWatcher(wsBase), await openWsWatcher(wsBase));
  const port = Number(new URL(base).port);
  stuck =
    stuckKind === 'ws'
      ? await openStuckWatcher(port, WEBSOCKET_REQUEST(), '101')
      : await openStuckWatcher(port, SSE_REQUEST(), '200');
  const joined = await healthy[0]!.waitFor((e) => e.type === 'watchers' && e.count === 3);
  const isDrop = (e: FeedEvent) => e.type === 'watchers' && e.count === 2 && e.seq > joined.seq;

  let batches = 0;
  while (!healthy[0]!.events.some(isDrop) && batches < 30) {
    const ref = `batch-${batches++}`;
    expect(await postBatch(base, ref)).toBe(201);
    // Every healthy watcher gets every completion of the batch, promptly (a generous bound: this is
    // a liveness check, not a benchmark), although the stuck watcher has not read a byte.
    const answered = Date.now();
    for (const watcher of healthy) {
      await watcher.waitFor(
        () =>
          watcher.events.filter(
            (e) => e.type === 'upload.completed' && (e.upload as { ref: string }).ref === ref,
          ).length === FILES_PER_BATCH,
        `the completions of ${ref}`,
      );
    }
    expect(Date.now() - answered).toBeLessThan(5000);
  }
  await healthy[0]!.waitFor(isDrop, 'the stuck watcher to be dropped');
  expect(app.liveEvents.presence.count).toBe(2);
  const feed = stuckKind === 'ws' ? 'websocket' : 'sse';
  expect(sample(await scrape(base), 'livedrop_slow_watchers_closed_total', { feed })).toBe(1);
}

async function start(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'livedrop-slow-'));
  const config = loadConfig({
    UPLOAD_DIR: dir,
    LOG_LEVEL: 'silent',
    MAX_FILES: '200',
    ...(await storageEnv(dir)),
  });
  app = await buildApp(config, {
    events: {
      slowWatcher: { highWaterBytes: 16 * 1024, maxQueuedBytes: 512 * 1024, maxBehindMs: 2000 },
      closeTimeoutMs: 20_000, // time for the stuck watcher to read its backlog once the test lets it
    },
  });
  return app.listen({ port: 0, host: '127.0.0.1' });
}

it('drops a WebSocket watcher that stops reading with 1008, while uploads and the others carry on', async () => {
  await uploadUntilDropped(await start(), 'ws');
  // Now it reads: its backlog, then the close frame.
  expect(await readUntilClose(stuck!)).toBe(1008);
});

it('ends the stream of an SSE watcher that stops reading, saying why', async () => {
  await uploadUntilDropped(await start(), 'sse');
  let text = '';
  stuck!.setEncoding('utf8');
  stuck!.on('data', (chunk: string) => {
    text += chunk;
  });
  stuck!.resume();
  await new Promise((resolve) => stuck!.once('close', resolve));
  // The last chunk of the (chunked) response says why; then the response ends.
  expect(text.slice(-120)).toMatch(/: closed: more than 524288 bytes of events queued\n\n\r\n0\r\n\r\n$/);
});
