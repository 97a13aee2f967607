// SIGTERM on the real process (server/main.ts): uploads in flight get SHUTDOWN_GRACE_MS to finish;
// whatever is still running after that is cut off and its temp files are removed before exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { multipart } from '../fixtures/upload-server.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

let child: ChildProcess | undefined;
let dir: string;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

async function startProcess(graceMs: number): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-shutdown-'));
  const port = await freePort();
  child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      UPLOAD_DIR: dir,
      LOG_LEVEL: 'silent',
      SHUTDOWN_GRACE_MS: String(graceMs),
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return url;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('server did not start');
}

/** Starts an upload, sends its first half, and returns a way to send the rest and read the answer. */
function halfUpload(url: string) {
  const { body, contentType } = multipart([
    { name: 'file', filename: 'f.bin', data: Buffer.alloc(200_000, 7) },
  ]);
  const request = http.request(`${url}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': body.length },
  });
  const answer = new Promise<number>((resolve) => {
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', () => resolve(0));
  });
  const firstHalfSent = new Promise((resolve) => request.write(body.subarray(0, 100_000), resolve));
  return { firstHalfSent, finish: () => request.end(body.subarray(100_000)), answer };
}

describe('graceful shutdown', () => {
  it('lets an upload in flight finish within the grace period, then exits 0', async () => {
    const url = await startProcess(5000);
    const upload = halfUpload(url);
    await upload.firstHalfSent;
    await new Promise((resolve) => setTimeout(resolve, 100));
    child!.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    upload.finish();
    expect(await upload.answer).toBe(201);
    const [code] = await once(child!, 'exit');
    expect(code).toBe(0);
    expect((await readdir(dir)).filter((name) => name.endsWith('.json'))).toHaveLength(1);
  });

  it('cuts off an upload still running after the grace period and removes its temp file', async () => {
    const url = await startProcess(300);
    const upload = halfUpload(url);
    await upload.firstHalfSent;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readdir(join(dir, '.tmp'))).toHaveLength(1);
    child!.kill('SIGTERM');
    const [code] = await once(child!, 'exit');
    expect(code).toBe(0);
    expect(await upload.answer).toBe(0); // connection closed, no answer
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
  });
});
