// Clients that vanish mid-upload: the temp file goes, watchers hear `aborted`, the server keeps serving.
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventually,
  multipart,
  postMultipart,
  recordingObserver,
  startServer,
  type TestServer,
  tempFiles,
  uploadsIn,
} from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

/** Sends the first `cut` bytes of `body`, waits until the server has them, then drops the connection. */
function abortAfter(url: string, contentType: string, body: Buffer, cut: number): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(`${url}/api/uploads`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'content-length': body.length },
    });
    request.on('error', () => resolve()); // ECONNRESET is the point
    request.on('close', () => resolve());
    request.write(body.subarray(0, cut), () => setTimeout(() => request.destroy(), 5));
  });
}

describe('client aborts', () => {
  it('20 uploads dropped at random points leave .tmp empty, list nothing, and the server healthy', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const uploads = Array.from({ length: 20 }, () => {
      const data = randomBytes(randomInt(100_000, 1_000_000));
      const { body, contentType } = multipart([{ name: 'file', filename: 'x.bin', data }]);
      // Past the part's headers (so the file has started), before its last byte.
      const cut = randomInt(400, body.length - 100);
      return abortAfter(server.url, contentType, body, cut);
    });
    await Promise.all(uploads);

    await eventually(async () => {
      expect(await tempFiles(server.dir)).toEqual([]);
      expect(observer.calls.filter((c) => c.event === 'aborted')).toHaveLength(20);
    });
    const started = uploadsIn(observer.calls, 'started').map((u) => u.id);
    const aborted = uploadsIn(observer.calls, 'aborted');
    expect(aborted.map((u) => u.id).sort()).toEqual(started.sort());
    expect(aborted.every((u) => u.status === 'aborted')).toBe(true);
    expect(observer.calls.some((c) => c.event === 'completed' || c.event === 'failed')).toBe(false);

    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: 'ok' });
    const list = (await (await fetch(`${server.url}/api/uploads`)).json()) as { uploads: unknown[] };
    expect(list.uploads).toEqual([]);
    const after = await postMultipart(server.url, [
      { name: 'file', filename: 'ok.txt', data: 'still serving' },
    ]);
    expect(after.status).toBe(201);
  });
});
