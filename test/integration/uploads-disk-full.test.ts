// A full disk mid-upload: 507 STORAGE_FULL, the partial bytes removed, the next upload that fits
// succeeds. Runs on a real 8 MiB tmpfs (needs root: mount(2)).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postMultipart, startServer, type TestServer } from '../fixtures/upload-server.js';

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    console.warn(`disk-full tests skipped: cannot mount a tmpfs here (${(error as Error).message.trim()})`);
    return false;
  }
}

const dir = await mkdtemp(join(tmpdir(), 'livedrop-full-'));
const mounted = tryMount(dir);
let server: TestServer;

const usedBytes = async () => {
  const stats = await statfs(dir);
  return (stats.blocks - stats.bfree) * stats.bsize;
};

describe.skipIf(!mounted)('disk full (tmpfs of 8 MiB)', () => {
  beforeAll(async () => {
    server = await startServer({}, { dir });
  });
  afterAll(async () => {
    await server?.close();
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });

  it('507 STORAGE_FULL for a file that does not fit, with its partial bytes removed', async () => {
    const before = await usedBytes();
    const response = await postMultipart(server.url, [
      { name: 'file', filename: 'big.bin', data: randomBytes(12 << 20) },
    ]);
    expect(response.status).toBe(507);
    expect(((await response.json()) as { code: string }).code).toBe('STORAGE_FULL');
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    expect(await usedBytes()).toBeLessThanOrEqual(before + 64 * 1024);
  });

  it('removes the earlier files of the request too, and then takes an upload that fits', async () => {
    const failed = await postMultipart(server.url, [
      { name: 'file', filename: 'fits.bin', data: randomBytes(3 << 20) },
      { name: 'file', filename: 'overflows.bin', data: randomBytes(7 << 20) },
    ]);
    expect(failed.status).toBe(507);
    expect(await readdir(dir)).toEqual(['.tmp']);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);

    const data = randomBytes(2 << 20);
    const ok = await postMultipart(server.url, [{ name: 'file', filename: 'ok.bin', data }]);
    expect(ok.status).toBe(201);
    const { uploads } = (await ok.json()) as { uploads: { url: string }[] };
    const content = Buffer.from(await (await fetch(`${server.url}${uploads[0]!.url}`)).arrayBuffer());
    expect(content.equals(data)).toBe(true);
  });
});

if (!mounted) await rm(dir, { recursive: true, force: true });
