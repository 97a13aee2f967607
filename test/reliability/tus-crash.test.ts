// tus durability under a crash: the server is SIGKILLed while a PATCH is streaming, then restarted on
// the same UPLOAD_DIR. HEAD must give an offset the stored bytes back up (never more than what was
// fsynced, and the bytes up to it are exactly the client's), and resuming from there completes the
// upload with the right bytes and SHA-256, recomputed from storage since the running hash died too.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createTusUpload, headTus, patchTus, sha256Hex } from '../fixtures/tus-http.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

let server: ServerProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  server = undefined;
  dir = undefined;
});

describe('tus crash safety', () => {
  it('kill -9 mid-PATCH, restart: HEAD gives a durable offset with the right bytes, and the resume completes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-tus-crash-'));
    server = await startServerProcess({ UPLOAD_DIR: dir });
    const data = randomBytes(24 * 1024 * 1024);
    const url = await createTusUpload(server.url, data.length);
    const path = new URL(url).pathname;
    // The first 1 MiB is acknowledged: it must survive whatever follows.
    expect((await patchTus(url, 0, data.subarray(0, 1024 * 1024))).status).toBe(204);

    // A PATCH streams the rest slowly; the server dies under it.
    const request = http.request(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': 1024 * 1024,
        'Content-Length': data.length - 1024 * 1024,
      },
    });
    request.on('error', () => {});
    for (let offset = 1024 * 1024; offset < 12 * 1024 * 1024; offset += 256 * 1024) {
      request.write(data.subarray(offset, offset + 256 * 1024));
      await sleep(5);
    }
    await sleep(100);
    server.child.kill('SIGKILL');
    await server.exited;
    request.destroy();

    server = await startServerProcess({ UPLOAD_DIR: dir });
    const head = await headTus(`${server.url}${path}`);
    expect(head.status).toBe(200);
    const offset = Number(head.headers['upload-offset']);
    expect(offset).toBeGreaterThanOrEqual(1024 * 1024);
    expect(offset).toBeLessThanOrEqual(12 * 1024 * 1024);

    expect((await patchTus(`${server.url}${path}`, offset, data.subarray(offset))).status).toBe(204);
    const id = path.split('/').at(-1)!;
    const content = Buffer.from(await (await fetch(`${server.url}/api/uploads/${id}/content`)).arrayBuffer());
    expect(content.length).toBe(data.length);
    expect(content.equals(data)).toBe(true);
    const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
      uploads: { id: string; sha256: string }[];
    };
    expect(uploads.find((u) => u.id === id)!.sha256).toBe(sha256Hex(data));
    expect(server.logs.some((entry) => entry.msg === 'sha256 recomputed from stored bytes')).toBe(true);
  }, 60_000);
});
