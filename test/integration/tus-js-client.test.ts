// Interop with the real tus-js-client (Node build, unmodified) on a real port. The big test puts a TCP
// proxy between client and server that resets the connection at random points 20 times (as tusd's
// e2e tests do with Toxiproxy): every byte that arrived before a reset is kept, the client resumes
// from HEAD's offset, and the stored file has the exact SHA-256.
import { randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type ResetProxy, startResetProxy } from '../fixtures/reset-proxy.js';
import { headTus, sha256Hex } from '../fixtures/tus-http.js';
import {
  type ObservedCall,
  recordingObserver,
  startServer,
  type TestServer,
} from '../fixtures/upload-server.js';

const MiB = 1024 * 1024;
let server: TestServer | undefined;
let proxy: ResetProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await server?.close();
  proxy = undefined;
  server = undefined;
});

interface Listed {
  id: string;
  name: string;
  size: number;
  sha256: string;
}

async function listed(url: string): Promise<Listed[]> {
  return ((await (await fetch(`${url}/api/uploads?limit=200`)).json()) as { uploads: Listed[] }).uploads;
}

function upload(data: Buffer, options: tus.UploadOptions): { done: Promise<string>; tus: tus.Upload } {
  let instance!: tus.Upload;
  const done = new Promise<string>((resolve, reject) => {
    instance = new tus.Upload(data, {
      ...options,
      onSuccess: () => resolve(instance.url!),
      onError: reject,
    });
  });
  instance.start();
  return { done, tus: instance };
}

describe('tus-js-client', () => {
  it('uploads 64 MiB in 5 MiB chunks through 20 connection resets, with the exact sha256', async () => {
    server = await startServer();
    // Each connection is cut 64 KiB–3 MiB in: 20 cuts add up to ~30 MiB, well inside the 64 MiB, so
    // all 20 land before the upload ends.
    proxy = await startResetProxy({
      targetPort: server.port,
      resets: 20,
      minBytes: 64 * 1024,
      maxBytes: 3 * MiB,
    });
    const data = randomBytes(64 * MiB);
    const { done } = upload(data, {
      endpoint: `${proxy.url}/api/tus`,
      chunkSize: 5 * MiB,
      retryDelays: Array(60).fill(20),
      metadata: { filename: 'big.bin', filetype: 'application/octet-stream' },
    });
    const url = await done;
    expect(proxy.resetCount).toBe(20);
    const id = url.split('/').at(-1)!;
    const stored = (await listed(server.url)).find((u) => u.id === id)!;
    expect(stored.size).toBe(data.length);
    expect(stored.sha256).toBe(sha256Hex(data));
    const content = Buffer.from(await (await fetch(`${server.url}/api/uploads/${id}/content`)).arrayBuffer());
    expect(sha256Hex(content)).toBe(sha256Hex(data));
  }, 120_000);

  it('parallelUploads: 4 completes as one listed file, one upload for watchers, with the exact sha256', async () => {
    const observer = recordingObserver();
    server = await startServer({}, { observer });
    const data = randomBytes(6 * MiB + 123);
    const { done } = upload(data, {
      endpoint: `${server.url}/api/tus`,
      parallelUploads: 4,
      metadata: { filename: 'parallel.bin', filetype: 'application/octet-stream' },
      metadataForPartialUploads: { 'livedrop-group': 'g-1', filename: 'parallel.bin' },
    });
    const url = await done;
    const id = url.split('/').at(-1)!;
    const files = await listed(server.url);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ id, name: 'parallel.bin', size: data.length, sha256: sha256Hex(data) });
    const uploadIds = new Set(
      observer.calls
        .filter((c): c is ObservedCall & { upload: { id: string } } => 'upload' in c)
        .map((c) => c.upload.id),
    );
    expect([...uploadIds]).toEqual([id]);
    expect(observer.calls.filter((c) => c.event === 'started')).toHaveLength(1);
    expect(observer.calls.at(-1)).toMatchObject({ event: 'completed', upload: { id, size: data.length } });
  }, 60_000);

  it('abort(true) terminates the upload: HEAD then answers 410', async () => {
    server = await startServer();
    const data = randomBytes(4 * MiB);
    let instance!: tus.Upload;
    const firstChunk = new Promise<void>((resolve, reject) => {
      instance = new tus.Upload(data, {
        endpoint: `${server!.url}/api/tus`,
        chunkSize: MiB,
        onChunkComplete: () => resolve(),
        onError: reject,
      });
    });
    instance.start();
    await firstChunk;
    await instance.abort(true);
    const head = await headTus(instance.url!);
    expect([404, 410]).toContain(head.status);
    expect(await listed(server.url)).toHaveLength(0);
  });
});
