// Graceful shutdown (server/shutdown.ts) with the real server as a child process: on SIGTERM it closes
// the WebSocket watchers with 1001, stops accepting connections, still completes an upload in flight
// (201) within SHUTDOWN_GRACE_MS, and exits 0; an upload stalled past the grace period (SIGINT this
// time) is cut, its temp file removed, and the exit is still 0; a second signal cuts the grace period
// short; a watcher that never answers the close frame neither keeps the port open nor the process up.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, multipart, tempFiles } from '../fixtures/upload-server.js';
import { openWsWatcher } from '../integration/events-clients.js';
import { type ServerProcess, startServerProcess } from './server-process.js';
import { openStuckWatcher } from './stuck-watcher-socket.js';

let server: ServerProcess | undefined;
let dir: string;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts an upload, sends the first half of its body and returns the way to send the rest. */
function halfUpload(url: string, data: Buffer) {
  const { body, contentType } = multipart([{ name: 'file', filename: 'inflight.bin', data }]);
  const request = http.request(`${url}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': body.length },
  });
  const response = new Promise<{ status: number; connection?: string; body: string }>((resolve, reject) => {
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }),
      );
    });
    request.on('error', reject);
  });
  request.write(body.subarray(0, body.length / 2));
  return { response, finish: () => request.end(body.subarray(body.length / 2)) };
}

/** Resolves with the connect error code, or 'connected'. */
const tryConnect = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

const shuttingDown = (s: ServerProcess) =>
  s.logs.some((entry) => String(entry.msg).startsWith('shutting down'));

describe('SIGTERM and SIGINT', () => {
  it('closes watchers with 1001, refuses new connections, lets an in-flight upload finish with 201, exits 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-shutdown-'));
    server = await startServerProcess({ UPLOAD_DIR: dir, SHUTDOWN_GRACE_MS: '20000' });
    const watcher = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
    const closeCode = new Promise<number>((resolve) => watcher.socket.once('close', resolve));
    const upload = halfUpload(server.url, randomBytes(512 * 1024));
    await eventually(async () => expect(await tempFiles(dir)).toHaveLength(1));

    server.child.kill('SIGTERM');
    // RFC 6455 §7.4.1: 1001 "going away", a server going down.
    expect(await closeCode).toBe(1001);
    await eventually(() => expect(shuttingDown(server!)).toBe(true));
    await eventually(async () => expect(await tryConnect(server!.port)).toBe('ECONNREFUSED'));

    upload.finish();
    const answer = await upload.response;
    expect(answer.status).toBe(201);
    // Its connection is not left open and idle, which would hold the exit up until keep-alive ends.
    expect(answer.connection).toBe('close');
    const [stored] = (JSON.parse(answer.body) as { uploads: { id: string }[] }).uploads;
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect((await readdir(dir)).sort()).toEqual(['.tmp', stored!.id, `${stored!.id}.json`].sort());
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('SIGINT: cuts an upload still stalled when the grace period ends, removes its temp file, exits 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-shutdown-'));
    server = await startServerProcess({ UPLOAD_DIR: dir, SHUTDOWN_GRACE_MS: '500' });
    const upload = halfUpload(server.url, randomBytes(512 * 1024));
    await eventually(async () => expect(await tempFiles(dir)).toHaveLength(1));

    const outcome = upload.response.then(
      ({ status }) => `answered ${status}`,
      (error: Error) => error.message,
    );
    server.child.kill('SIGINT'); // Ctrl+C: the same shutdown
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await outcome).toMatch(/socket hang up|ECONNRESET/);
    expect(await readdir(dir)).toEqual(['.tmp']);
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('a second signal cuts the grace period short', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-shutdown-'));
    // A grace period longer than the test's own timeout: only the second signal can end it in time.
    server = await startServerProcess({ UPLOAD_DIR: dir, SHUTDOWN_GRACE_MS: '600000' });
    const upload = halfUpload(server.url, randomBytes(512 * 1024));
    upload.response.catch(() => {}); // cut, as intended
    await eventually(async () => expect(await tempFiles(dir)).toHaveLength(1));

    server.child.kill('SIGTERM');
    await eventually(() => expect(shuttingDown(server!)).toBe(true));
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await readdir(dir)).toEqual(['.tmp']);
    expect(await tempFiles(dir)).toEqual([]);
  });

  it('stops accepting at once and still exits 0 when a watcher never answers the close', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-shutdown-'));
    server = await startServerProcess({ UPLOAD_DIR: dir, SHUTDOWN_GRACE_MS: '500' });
    const stuck = await openStuckWatcher(server.port);
    try {
      server.child.kill('SIGTERM');
      await eventually(() => expect(shuttingDown(server!)).toBe(true));
      // The listening socket is closed before the shutdown is logged, whatever the feeds still wait for.
      expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
      // The stuck watcher is given up on after the close timeout; the exit is still clean.
      expect(await server.exited).toEqual({ code: 0, signal: null });
    } finally {
      stuck.destroy();
    }
  });
});
