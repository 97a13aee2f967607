// The integrations on resumable (tus) uploads: the pre-upload hook's refusal as the real
// tus-js-client reports it, a slow or down hook failing tus creation closed, and /metrics counting a
// resumable upload in flight, paused, resumed and completed, each byte once.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import * as tus from 'tus-js-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HookReceiver, startHookReceiver } from '../fixtures/hook-receiver.js';
import { sample, scrape } from '../fixtures/metrics.js';
import {
  createTusUpload,
  headTus,
  metadataValue,
  OFFSET_STREAM,
  TUS,
  tusRequest,
} from '../fixtures/tus-http.js';
import { eventually, startServer, type TestServer } from '../fixtures/upload-server.js';

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

const named = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}.txt`;

const create = (name: string, length: number) =>
  tusRequest(`${server!.url}/api/tus`, 'POST', {
    ...TUS,
    'Upload-Length': length,
    'Upload-Metadata': `filename ${metadataValue(name)}`,
  });

describe('pre-upload hook on tus creation', () => {
  it("tus-js-client's error carries the hook's status and message", async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const name = named('deny-');
    const error = await new Promise<tus.DetailedError>((resolve, reject) => {
      new tus.Upload(Buffer.from('refused bytes'), {
        endpoint: `${server!.url}/api/tus`,
        metadata: { filename: name, filetype: 'text/plain' },
        retryDelays: [],
        onError: (e) => resolve(e as tus.DetailedError),
        onSuccess: () => reject(new Error('the upload was not refused')),
      }).start();
    });
    expect(error.originalResponse?.getStatus()).toBe(403);
    expect(JSON.parse(error.originalResponse!.getBody())).toMatchObject({
      code: 'UPLOAD_REJECTED',
      message: 'Quota exceeded for alice',
    });
    expect(error.message).toContain('Quota exceeded for alice');
    const { uploads } = (await (await fetch(`${server.url}/api/uploads`)).json()) as { uploads: unknown[] };
    expect(uploads).toEqual([]);
  });

  it('503 UPLOAD_HOOK_FAILED when the hook does not answer in time, and when it is down', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url, HOOK_PRE_UPLOAD_TIMEOUT_MS: '300' });
    const slow = await create(named('slow-'), 5);
    expect(slow.status).toBe(503);
    expect(JSON.parse(slow.body)).toMatchObject({
      code: 'UPLOAD_HOOK_FAILED',
      message: 'The pre-upload check could not be made (no answer within 300 ms); try again shortly',
    });
    expect(slow.headers.location).toBeUndefined();
    await server.close();

    const gone = await startHookReceiver();
    await gone.stop();
    server = await startServer({ HOOK_PRE_UPLOAD_URL: gone.url });
    const down = await create(named('allow-'), 5);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body).message).toContain('ECONNREFUSED');
    await server.close();

    server = await startServer({ HOOK_PRE_UPLOAD_URL: gone.url, HOOK_PRE_UPLOAD_ON_ERROR: 'allow' });
    expect((await create(named('allow-'), 5)).status).toBe(201);
  });
});

describe('metrics of resumable uploads', () => {
  it('in flight while it streams, out while paused, back when resumed; every byte counted once', async () => {
    server = await startServer({ UPLOAD_IDLE_TIMEOUT: '1000' });
    const data = randomBytes(256 * 1024);
    const url = await createTusUpload(server.url, data.length);
    const kind = { kind: 'resumable' };
    expect(sample(await scrape(server.url), 'livedrop_uploads_in_flight', kind)).toBe(1);

    // Half the bytes, then the connection is cut: the upload pauses.
    void tusRequest(
      url,
      'PATCH',
      { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': 0, 'Content-Length': data.length },
      [data.subarray(0, data.length / 2)],
      { end: false, abortAfterMs: 300 },
    );
    await eventually(async () => {
      const paused = await scrape(server!.url);
      expect(sample(paused, 'livedrop_uploads_in_flight', kind)).toBe(0);
      expect(sample(paused, 'livedrop_upload_bytes_received_total', kind)).toBe(data.length / 2);
    });
    const offset = Number((await headTus(url)).headers['upload-offset']);
    expect(offset).toBe(data.length / 2);

    // Resumed: in flight again as soon as its bytes flow, before the PATCH ends.
    const rest = data.subarray(offset);
    const resumed = http.request(url, {
      method: 'PATCH',
      headers: { ...TUS, ...OFFSET_STREAM, 'Upload-Offset': offset, 'Content-Length': rest.length },
    });
    const answered = new Promise<number>((resolve, reject) => {
      resumed.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      resumed.on('error', reject);
    });
    resumed.write(rest.subarray(0, rest.length / 2));
    await eventually(async () =>
      expect(sample(await scrape(server!.url), 'livedrop_uploads_in_flight', kind)).toBe(1),
    );
    resumed.end(rest.subarray(rest.length / 2));
    expect(await answered).toBe(204);
    const done = await scrape(server.url);
    expect(sample(done, 'livedrop_uploads_completed_total', kind)).toBe(1);
    expect(sample(done, 'livedrop_uploads_in_flight', kind)).toBe(0);
    expect(sample(done, 'livedrop_upload_bytes_received_total', kind)).toBe(data.length);
    expect(sample(done, 'livedrop_upload_bytes_received_total', { kind: 'multipart' })).toBe(0);
  });
});
