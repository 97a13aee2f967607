// What only local-disk storage can show (so the S3 run of the integration suite leaves this file
// out, see .ci/run): a file-system failure that is not a full disk is a 500 whose answer names no
// server path; a tus upload whose completion failed after its last byte was stored is completed by
// the next HEAD or empty PATCH. The S3 counterparts are in test/storage/s3-faults.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createTusUpload, headTus, patchTus, sha256Hex } from '../fixtures/tus-http.js';
import { postMultipart, startServer, type TestServer } from '../fixtures/upload-server.js';
import { openWsWatcher, type WsWatcher } from './events-clients.js';

let server: TestServer;
let watcher: WsWatcher | undefined;
afterEach(async () => {
  watcher?.socket.terminate();
  watcher = undefined;
  await server?.close();
});

it('500 without server paths in the answer when the storage itself fails', async () => {
  server = await startServer();
  await rm(join(server.dir, '.tmp'), { recursive: true });
  const response = await postMultipart(server.url, [{ name: 'file', filename: 'f.bin', data: 'x' }]);
  expect(response.status).toBe(500);
  const body = (await response.json()) as { message: string };
  expect(body.message).toBe('The upload could not be stored');
  expect(JSON.stringify(body)).not.toContain(server.dir);
  expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
});

/**
 * A tus upload whose last PATCH stored every byte but whose commit failed: a directory squats where
 * the completed file goes (a stand-in for any storage error at that moment). Resolves once the PATCH
 * has been answered, with what a test needs to go on.
 */
async function uploadWhoseCompletionFails() {
  server = await startServer();
  watcher = await openWsWatcher(`${server.url.replace('http', 'ws')}/api/events`);
  await watcher.waitFor((e) => e.type === 'snapshot', 'snapshot');
  const data = randomBytes(300_000);
  const url = await createTusUpload(server.url, data.length, { 'Upload-Metadata': 'filename cy5iaW4=' });
  const id = new URL(url).pathname.split('/').at(-1)!;
  const squatter = join(server.dir, id);
  await mkdir(squatter);
  const failed = await patchTus(url, 0, data);
  expect(failed.status).toBe(500);
  return { data, url, id, squatter };
}

it('a tus upload whose completion failed is paused, HEAD fails while storage does, and the next HEAD completes it with its sha256', async () => {
  const { data, url, id, squatter } = await uploadWhoseCompletionFails();
  const paused = await watcher!.waitFor(
    (e) => e.type === 'upload.paused' && (e.upload as { id: string }).id === id,
    'paused',
  );
  expect(paused.upload).toMatchObject({ size: data.length, status: 'paused' });
  // Offset = length would tell the client it is done: HEAD must not say so while it is not.
  expect((await headTus(url)).status).toBe(500);
  expect((await fetch(`${server.url}/api/uploads/${id}`)).status).toBe(404);

  await rm(squatter, { recursive: true });
  const head = await headTus(url);
  expect(head.status).toBe(200);
  expect(head.headers['upload-offset']).toBe(String(data.length));
  expect(head.headers['upload-length']).toBe(String(data.length));
  const completed = await watcher!.waitFor((e) => e.type === 'upload.completed', 'completed');
  expect(completed.upload).toMatchObject({ id, size: data.length, sha256: sha256Hex(data) });
  const content = await fetch(`${server.url}/api/uploads/${id}/content`);
  expect(sha256Hex(Buffer.from(await content.arrayBuffer()))).toBe(sha256Hex(data));
  // Completed once: a second HEAD answers the same, and watchers heard one completion.
  expect((await headTus(url)).headers['upload-offset']).toBe(String(data.length));
  expect(watcher!.events.filter((e) => e.type === 'upload.completed')).toHaveLength(1);
});

it('an empty PATCH at offset = length completes a tus upload whose completion failed; one with bytes is refused', async () => {
  const { data, url, id, squatter } = await uploadWhoseCompletionFails();
  await rm(squatter, { recursive: true });
  expect((await patchTus(url, data.length, Buffer.from('x'))).status).toBe(413);
  const patched = await patchTus(url, data.length, Buffer.alloc(0));
  expect(patched.status).toBe(204);
  expect(patched.headers['upload-offset']).toBe(String(data.length));
  const listed = (await (await fetch(`${server.url}/api/uploads/${id}`)).json()) as Record<string, unknown>;
  expect(listed).toMatchObject({ status: 'completed', size: data.length, sha256: sha256Hex(data) });
});
