// The UploadObserver seam: the calls the live-events layer relies on, in order.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Upload } from '../../server/uploads/upload.js';
import {
  type ObservedCall,
  postMultipart,
  recordingObserver,
  startServer,
  type TestServer,
  uploadsIn,
} from '../fixtures/upload-server.js';

let server: TestServer;
afterEach(async () => {
  await server?.close();
});

const summary = (calls: ObservedCall[]) =>
  calls
    .filter((c) => c.event !== 'progress')
    .map((c) => (c.event === 'deleted' ? `deleted ${c.id}` : `${c.event} ${c.upload.name}`));

describe('upload observer', () => {
  it('sees started, rising progress, then completed for every file once the request succeeded', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const a = randomBytes(3 * 1024 * 1024);
    const b = randomBytes(1000);
    const response = await postMultipart(
      server.url,
      [
        { name: 'size', value: String(a.length) },
        { name: 'file', filename: 'a', data: a },
        { name: 'file', filename: 'b', data: b },
      ],
      { 'x-upload-ref': 'r1' },
    );
    const { uploads } = (await response.json()) as { uploads: Upload[] };
    expect(summary(observer.calls)).toEqual(['started a', 'started b', 'completed a', 'completed b']);

    const progressOf = (name: string) =>
      uploadsIn(observer.calls, 'progress')
        .filter((u) => u.name === name)
        .map((u) => u.size);
    const sizesA = progressOf('a');
    expect(sizesA.length).toBeGreaterThan(1);
    expect(sizesA).toEqual([...sizesA].sort((x, y) => x - y));
    expect(sizesA.at(-1)).toBe(a.length);
    expect(progressOf('b').at(-1)).toBe(b.length);

    expect(uploadsIn(observer.calls, 'started')[0]).toMatchObject({
      status: 'uploading',
      size: 0,
      expected: a.length,
      ref: 'r1',
    });
    const completed = observer.calls
      .filter((c) => c.event === 'completed')
      .map((c) => c.event === 'completed' && c.upload);
    expect(completed).toEqual(uploads);

    await fetch(`${server.url}/api/uploads/${uploads[0]!.id}`, { method: 'DELETE' });
    expect(observer.calls.at(-1)).toEqual({ event: 'deleted', id: uploads[0]!.id });
  });

  it('fails every file of a failed request with the request’s error, including the one already received', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const response = await postMultipart(server.url, [
      { name: 'file', filename: 'good', data: 'complete file' },
      { name: 'size', value: '99' },
      { name: 'file', filename: 'short', data: 'too short' },
    ]);
    expect(response.status).toBe(400);
    expect(summary(observer.calls)).toEqual(['started good', 'started short', 'failed good', 'failed short']);
    for (const call of observer.calls.filter((c) => c.event === 'failed')) {
      expect(call.event === 'failed' && call.error.code).toBe('UPLOAD_SIZE_MISMATCH');
      expect(call.event === 'failed' && call.upload.status).toBe('failed');
    }
  });

  it('does not start a file part rejected before its first byte', async () => {
    const observer = recordingObserver();
    server = await startServer({ ALLOWED_TYPES: 'image/png' }, { observer });
    const response = await postMultipart(server.url, [
      { name: 'file', filename: 'ok.png', type: 'image/png', data: 'png' },
      { name: 'file', filename: 'no.exe', type: 'application/x-msdownload', data: 'MZ' },
    ]);
    expect(response.status).toBe(415);
    expect(summary(observer.calls)).toEqual(['started ok.png', 'failed ok.png']);
  });
});
