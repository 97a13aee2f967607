// The IETF draft "Resumable Uploads for HTTP" on /api/tus, as tus-js-client speaks it unmodified
// (`protocol: 'ietf-draft-03'` and `'ietf-draft-05'`): creation without Tus-Resumable, appends with
// Upload-Complete, resumption after connection resets, HEAD's Upload-Complete and Upload-Limit.
import { randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResetProxy, startResetProxy } from '../fixtures/reset-proxy.js';
import { sha256Hex, tusRequest } from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

const MiB = 1024 * 1024;
let server: TestServer | undefined;
let proxy: ResetProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

function send(data: Buffer, endpoint: string, protocol: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      endpoint,
      protocol: protocol as 'ietf-draft-05',
      chunkSize: MiB,
      retryDelays: Array(20).fill(20),
      metadata: { filename: `${protocol}.bin` },
      onSuccess: () => resolve(upload.url!),
      onError: reject,
    } as tus.UploadOptions);
    upload.start();
  });
}

describe('IETF resumable uploads draft', () => {
  it.each(['ietf-draft-03', 'ietf-draft-05'])(
    'tus-js-client with protocol %s uploads 3 MiB through 3 resets with the exact sha256',
    async (protocol) => {
      server = await startServer();
      proxy = await startResetProxy({
        targetPort: server.port,
        resets: 3,
        minBytes: 64 * 1024,
        maxBytes: MiB,
      });
      const data = randomBytes(3 * MiB);
      const url = await send(data, `${proxy.url}/api/tus`, protocol);
      expect(proxy.resetCount).toBe(3);
      const id = url.split('/').at(-1)!;
      const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
        uploads: { id: string; name: string; sha256: string }[];
      };
      expect(uploads.find((u) => u.id === id)).toMatchObject({
        name: `${protocol}.bin`,
        sha256: sha256Hex(data),
      });
    },
  );

  it('HEAD in draft interop 6 answers Upload-Complete ?0 and Upload-Limit, without needing Tus-Resumable', async () => {
    server = await startServer({ MAX_FILE_SIZE: '1MiB' });
    const created = await tusRequest(`${server.url}/api/tus`, 'POST', {
      'Upload-Draft-Interop-Version': '6',
      'Upload-Complete': '?0',
    });
    expect(created.status).toBe(201);
    const head = await tusRequest(created.headers.location!, 'HEAD', { 'Upload-Draft-Interop-Version': '6' });
    expect(head.status).toBe(200);
    expect(head.headers['upload-offset']).toBe('0');
    expect(head.headers['upload-complete']).toBe('?0');
    expect(head.headers['upload-limit']).toBe(`max-size=${MiB}`);
    expect(head.headers['upload-draft-interop-version']).toBe('6');
  });

  it('a draft PATCH with Upload-Complete ?1 fixes the length and completes the upload (204)', async () => {
    server = await startServer();
    const created = await tusRequest(`${server.url}/api/tus`, 'POST', {
      'Upload-Draft-Interop-Version': '6',
    });
    const url = created.headers.location!;
    const headers = { 'Upload-Draft-Interop-Version': '6', 'Content-Type': 'application/partial-upload' };
    const first = await tusRequest(
      url,
      'PATCH',
      { ...headers, 'Upload-Offset': 0, 'Upload-Complete': '?0' },
      [Buffer.from('abc')],
    );
    expect(first.status).toBe(204);
    const last = await tusRequest(url, 'PATCH', { ...headers, 'Upload-Offset': 3, 'Upload-Complete': '?1' }, [
      Buffer.from('de'),
    ]);
    expect(last.status).toBe(204);
    const head = await tusRequest(url, 'HEAD', { 'Upload-Draft-Interop-Version': '6' });
    expect(head.headers['upload-complete']).toBe('?1');
    expect(head.headers['upload-length']).toBe('5');
  });
});
