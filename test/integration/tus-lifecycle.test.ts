// A tus upload's life as watchers see it (started → progress → paused → progress → completed), two
// PATCHes racing for one upload, expiry, and a restart that rebuilds paused uploads from storage.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTusUpload,
  headTus,
  OFFSET_STREAM,
  patchTus,
  sha256Hex,
  TUS,
  tusRequest,
} from '../fixtures/tus-http.js';
import { eventually, recordingObserver, startServer, type TestServer } from '../fixtures/upload-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const idOf = (url: string) => url.split('/').at(-1)!;

async function content(url: string, id: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${url}/api/uploads/${id}/content`)).arrayBuffer());
}

describe('tus upload lifecycle', () => {
  it('a PATCH cut off mid-body keeps its bytes and pauses the upload; the resume completes it with the exact sha256', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const data = randomBytes(200_000);
    const url = await createTusUpload(server.url, data.length, { 'X-Upload-Ref': 'r-1' });
    // The client sends 120 000 bytes and goes away without finishing the body.
    await tusRequest(
      url,
      'PATCH',
      { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0, 'Content-Length': data.length },
      [data.subarray(0, 120_000)],
      { end: false, abortAfterMs: 300 },
    );
    await eventually(() => expect(observer.calls.map((c) => c.event)).toContain('paused'));
    const paused = observer.calls.find((c) => c.event === 'paused')! as {
      upload: { size: number; expiresAt: string };
    };
    expect(paused.upload.size).toBe(120_000);
    expect(Date.parse(paused.upload.expiresAt)).toBeGreaterThan(Date.now());
    expect((await headTus(url)).headers['upload-offset']).toBe('120000');

    expect((await patchTus(url, 120_000, data.subarray(120_000))).status).toBe(204);
    const events = observer.calls.map((c) => c.event);
    expect(events[0]).toBe('started');
    expect(events.at(-1)).toBe('completed');
    expect(events.indexOf('paused')).toBeLessThan(events.lastIndexOf('progress'));
    const sizes = observer.calls
      .filter((c) => c.event === 'progress')
      .map((c) => (c as { upload: { size: number } }).upload.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    const completed = observer.calls.at(-1) as { upload: { sha256: string; ref: string } };
    expect(completed.upload).toMatchObject({ sha256: sha256Hex(data), ref: 'r-1' });
    expect((await content(server.url, idOf(url))).equals(data)).toBe(true);
  });

  it('two concurrent PATCHes on one upload never interleave: the first is stopped with 423, the second gets 409', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const data = randomBytes(100_000);
    const url = await createTusUpload(server.url, data.length);
    const headers = { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0, 'Content-Length': data.length };
    // The first PATCH sends 40 000 bytes and stalls, holding the upload (once the server has taken
    // them: on S3 it first asks the bucket where the blob stands, so a fixed wait is not enough).
    const first = tusRequest(url, 'PATCH', headers, [data.subarray(0, 40_000)], { end: false });
    await eventually(() =>
      expect(observer.calls.some((c) => c.event === 'progress' && c.upload.size === 40_000)).toBe(true),
    );
    // The second, at the same offset with other bytes, asks the first to stop.
    const other = randomBytes(100_000);
    const second = await tusRequest(url, 'PATCH', headers, [other]);
    expect((await first).status).toBe(423);
    expect(second.status).toBe(409);
    const offset = Number((await headTus(url)).headers['upload-offset']);
    expect(offset).toBe(40_000);
    expect((await patchTus(url, offset, data.subarray(offset))).status).toBe(204);
    expect((await content(server.url, idOf(url))).equals(data)).toBe(true);
  });

  it('a HEAD while a stalled PATCH holds the upload stops that PATCH and answers its durable offset', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const data = randomBytes(50_000);
    const url = await createTusUpload(server.url, data.length);
    const headers = { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0, 'Content-Length': data.length };
    const stalled = tusRequest(url, 'PATCH', headers, [data.subarray(0, 30_000)], { end: false });
    // Once the server has taken the bytes (on S3 the PATCH first asks the bucket where the blob
    // stands, so a fixed wait is not enough): a HEAD sooner would rightly answer 0.
    await eventually(() =>
      expect(observer.calls.some((c) => c.event === 'progress' && c.upload.size === 30_000)).toBe(true),
    );
    const head = await headTus(url);
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('30000');
    expect((await stalled).status).toBe(423);
    expect((await patchTus(url, 30_000, data.subarray(30_000))).status).toBe(204);
    expect((await content(server.url, idOf(url))).equals(data)).toBe(true);
  });

  it('an unfinished upload expires after TUS_EXPIRATION: its bytes are removed, watchers told, HEAD 410', async () => {
    const observer = recordingObserver();
    server = await startServer({ TUS_EXPIRATION: '1000' }, { observer });
    const url = await createTusUpload(server.url, 10);
    await patchTus(url, 0, Buffer.from('abc'));
    await eventually(() => expect(observer.calls.map((c) => c.event)).toContain('expired'), 5000);
    expect((observer.calls.find((c) => c.event === 'expired') as { upload: { id: string } }).upload.id).toBe(
      idOf(url),
    );
    expect((await headTus(url)).status).toBe(410);
    expect((await patchTus(url, 3, Buffer.from('d'))).status).toBe(410);
  });

  it('a restart rebuilds paused uploads: they are in the snapshot, HEAD gives the stored offset, the resume completes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'livedrop-tus-restart-'));
    try {
      const data = randomBytes(300_000);
      server = await startServer({}, { dir });
      const url = await createTusUpload(server.url, data.length);
      expect((await patchTus(url, 0, data.subarray(0, 100_000))).status).toBe(204);
      await server.close();

      server = await startServer({}, { dir });
      const moved = new URL(new URL(url).pathname, server.url).href;
      const poll = (await (await fetch(`${server.url}/api/events/poll`)).json()) as {
        events: { type: string; uploads?: { id: string; status: string; size: number }[] }[];
      };
      const snapshot = poll.events.find((e) => e.type === 'snapshot')!;
      expect(snapshot.uploads).toContainEqual(
        expect.objectContaining({ id: idOf(url), status: 'paused', size: 100_000 }),
      );
      expect((await headTus(moved)).headers['upload-offset']).toBe('100000');
      expect((await patchTus(moved, 100_000, data.subarray(100_000))).status).toBe(204);
      const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
        uploads: { id: string; sha256: string }[];
      };
      // The running hash died with the first process: recomputed from the stored bytes.
      expect(uploads.find((u) => u.id === idOf(url))!.sha256).toBe(sha256Hex(data));
    } finally {
      await server?.close();
      server = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
