// Running out of file descriptors: the server (a child process limited to 80 with `ulimit -n`) is
// flooded with 150 connections that never send a byte, and the flood is kept open. Connections
// beyond the limit are dropped at accept (libuv closes them at once); the idle ones it did accept
// are cut by HEADERS_TIMEOUT. So the server serves again while the flood is still on, without anyone
// restarting it, and its descriptors return to their baseline once the flood is gone.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually } from '../fixtures/upload-server.js';
import { oneShot } from '../fuzz/one-shot-request.js';
import { openFds, type ServerProcess, startServerProcess } from './server-process.js';

let server: ServerProcess | undefined;
let dir: string;
const flood: Socket[] = [];

afterEach(async () => {
  for (const socket of flood.splice(0)) socket.destroy();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

const health = () =>
  oneShot('GET', `${server!.url}/api/health`, { timeoutMs: 1000 }).then(
    (answer) => answer.status,
    () => 0,
  );

it('recovers by itself from a flood of idle connections that exhausts its descriptors', async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-flood-'));
  server = await startServerProcess({ UPLOAD_DIR: dir, HEADERS_TIMEOUT: '1000' }, { fdLimit: 80 });
  const baseline = openFds(server.pid);

  for (let i = 0; i < 150; i++) {
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {}); // dropped or cut: both are the server defending itself
    flood.push(socket);
  }
  await eventually(() => expect(flood.every((s) => !s.connecting)).toBe(true));
  // The limit was reached: the flood took (nearly) every descriptor the server may have.
  await eventually(() => expect(openFds(server!.pid)).toBeGreaterThanOrEqual(78));

  // The flood is still open on our side; the server has shed it and answers again.
  await eventually(async () => expect(await health()).toBe(200), 10_000);
  expect(server.child.exitCode).toBe(null);

  for (const socket of flood.splice(0)) socket.destroy();
  await eventually(() => expect(openFds(server!.pid)).toBeLessThanOrEqual(baseline));
});
