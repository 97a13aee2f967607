// A full disk as the watchers see it: UPLOAD_DIR on a real 8 MiB tmpfs, a WebSocket watcher on the
// feed. An upload that does not fit is answered 507 and announced as `upload.failed` with
// STORAGE_FULL, its partial bytes are removed, and the next upload that fits is stored and announced
// as completed. Needs mount(2) (root); skipped with a message where mounting is not permitted.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMultipart, startServer, type TestServer } from '../fixtures/upload-server.js';
import { openWsWatcher, type WsWatcher } from '../integration/events-clients.js';

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    console.warn(
      `disk-full watcher test skipped: mounting a tmpfs is not permitted here (${(error as Error).message.trim()})`,
    );
    return false;
  }
}

const dir = await mkdtemp(join(tmpdir(), 'livedrop-full-watch-'));
const mounted = tryMount(dir);
let server: TestServer;
let watcher: WsWatcher;

describe.skipIf(!mounted)('disk full, seen by a watcher (tmpfs of 8 MiB)', () => {
  beforeAll(async () => {
    server = await startServer({}, { dir });
    watcher = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
    await watcher.waitFor((e) => e.type === 'snapshot', 'snapshot');
  });
  afterAll(async () => {
    watcher?.socket.terminate();
    await server?.close();
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('507 and upload.failed STORAGE_FULL for the file that does not fit; the next one that fits completes', async () => {
    const tooBig = await postMultipart(
      server.url,
      [{ name: 'file', filename: 'big.bin', data: randomBytes(12 << 20) }],
      {
        'x-upload-ref': 'too-big',
      },
    );
    expect(tooBig.status).toBe(507);
    const failed = await watcher.waitFor(
      (e) => e.type === 'upload.failed' && (e.upload as { ref?: string }).ref === 'too-big',
      'upload.failed',
    );
    expect(failed.error).toMatchObject({ code: 'STORAGE_FULL' });
    expect(failed.upload).toMatchObject({ status: 'failed', name: 'big.bin' });
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);

    const data = randomBytes(2 << 20);
    const fits = await postMultipart(server.url, [{ name: 'file', filename: 'fits.bin', data }], {
      'x-upload-ref': 'fits',
    });
    expect(fits.status).toBe(201);
    const completed = await watcher.waitFor(
      (e) => e.type === 'upload.completed' && (e.upload as { ref?: string }).ref === 'fits',
      'upload.completed',
    );
    expect(completed.upload).toMatchObject({ status: 'completed', size: data.length });
    const { uploads } = (await fits.json()) as { uploads: { url: string }[] };
    const stored = Buffer.from(await (await fetch(`${server.url}${uploads[0]!.url}`)).arrayBuffer());
    expect(stored.equals(data)).toBe(true);
  });
});

if (!mounted) await rm(dir, { recursive: true, force: true });
