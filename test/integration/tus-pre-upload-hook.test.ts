// The pre-upload hook (HOOK_PRE_UPLOAD_URL) on tus creation: asked once, before anything is stored,
// with the decoded Upload-Metadata; its verdict refuses the creation or stores its `meta` on the upload.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HookReceiver, startHookReceiver } from '../fixtures/hook-receiver.js';
import { metadataValue, patchTus, TUS, tusRequest } from '../fixtures/tus-http.js';
import { startServer, type TestServer } from '../fixtures/upload-server.js';

let hook: HookReceiver;
let server: TestServer | undefined;
beforeAll(async () => {
  hook = await startHookReceiver();
});
afterAll(() => hook.stop());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const create = (name: string, length: number) =>
  tusRequest(`${server!.url}/api/tus`, 'POST', {
    ...TUS,
    'Upload-Length': length,
    'Upload-Metadata': `filename ${metadataValue(name)},filetype ${metadataValue('text/plain')}`,
  });

describe('pre-upload hook on tus creation', () => {
  it('is asked with kind resumable and the metadata; its meta is stored on the completed upload', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const name = `allow-${randomUUID().slice(0, 8)}.txt`;
    const created = await create(name, 5);
    expect(created.status).toBe(201);
    expect((await patchTus(created.headers.location!, 0, Buffer.from('hello'))).status).toBe(204);
    const call = (await hook.calls()).calls.find((c) => c.name === name)!;
    expect(call).toMatchObject({ kind: 'resumable', type: 'text/plain', expected: 5 });
    expect(call.metadata).toMatchObject({ filename: name, filetype: 'text/plain' });
    const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as {
      uploads: { name: string; meta?: unknown }[];
    };
    expect(uploads.find((u) => u.name === name)!.meta).toEqual({ owner: 'alice', plan: 'pro' });
  });

  it('a refusal answers the hook status (403) and creates nothing', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const created = await create(`deny-${randomUUID().slice(0, 8)}.txt`, 5);
    expect(created.status).toBe(403);
    expect(created.headers.location).toBeUndefined();
    expect(JSON.parse(created.body).message).toContain('Quota exceeded');
  });
});
