// HOOK_PRE_UPLOAD_URL against a real receiver process on a real port: allowed uploads carry the
// hook's metadata, refused ones get the hook's status and message in livedrop's error shape and
// leave nothing behind, and a hook that is slow, down or broken fails closed (or open, when told).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HookReceiver, startHookReceiver } from '../fixtures/hook-receiver.js';
import { sample, scrape } from '../fixtures/metrics.js';
import {
  postMultipart,
  recordingObserver,
  startServer,
  type TestServer,
  tempFiles,
} from '../fixtures/upload-server.js';

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

/** A file name the receiver answers by its prefix, unique so each test finds its own calls. */
const named = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}.txt`;

interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

async function listed(base: string): Promise<unknown[]> {
  return ((await (await fetch(`${base}/api/uploads`)).json()) as { uploads: unknown[] }).uploads;
}

describe('pre-upload hook', () => {
  it('allows on 2xx: the hook is told name, type and size, and its metadata is stored as `meta`', async () => {
    server = await startServer({
      HOOK_PRE_UPLOAD_URL: hook.url,
      HOOK_PRE_UPLOAD_FORWARD_HEADERS: 'x-user-id',
    });
    const name = named('allow-');
    const response = await postMultipart(
      server.url,
      [
        { name: 'size', value: '5' },
        { name: 'file', filename: name, type: 'text/plain', data: 'hello' },
      ],
      { 'x-user-id': 'alice', cookie: 'session=secret', 'x-upload-ref': 'r1' },
    );
    expect(response.status).toBe(201);
    const [upload] = ((await response.json()) as { uploads: { id: string; meta?: unknown }[] }).uploads;
    expect(upload!.meta).toEqual({ owner: 'alice', plan: 'pro' });
    // Stored with it: the listing and the record say the same.
    const stored = (await (await fetch(`${server.url}/api/uploads/${upload!.id}`)).json()) as {
      meta?: unknown;
    };
    expect(stored.meta).toEqual({ owner: 'alice', plan: 'pro' });

    const call = (await hook.calls()).calls.find((c) => c.name === name)!;
    expect(call).toEqual({
      kind: 'multipart',
      name,
      type: 'text/plain',
      expected: 5,
      metadata: {},
      ref: 'r1',
      // Only the header it was told to forward; no token unless HOOK_PRE_UPLOAD_FORWARD_TOKEN.
      headers: { 'x-user-id': 'alice' },
    });
  });

  it('a large file waits in the socket while the hook decides, then streams in full', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const data = randomBytes(4 * 1024 * 1024);
    const response = await postMultipart(server.url, [{ name: 'file', filename: named('allow-'), data }]);
    expect(response.status).toBe(201);
    const [upload] = ((await response.json()) as { uploads: { id: string; size: number; sha256: string }[] })
      .uploads;
    expect(upload!.size).toBe(data.length);
    expect(upload!.sha256).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('a 204 allows without metadata', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const response = await postMultipart(server.url, [{ name: 'file', filename: named('ok-'), data: 'x' }]);
    expect(response.status).toBe(201);
    const [upload] = ((await response.json()) as { uploads: { meta?: unknown }[] }).uploads;
    expect(upload).not.toHaveProperty('meta');
  });

  it("forwards the caller's bearer token only with HOOK_PRE_UPLOAD_FORWARD_TOKEN=true", async () => {
    server = await startServer({
      HOOK_PRE_UPLOAD_URL: hook.url,
      HOOK_PRE_UPLOAD_FORWARD_TOKEN: 'true',
      AUTH_TOKEN: 'caller-token',
    });
    const name = named('allow-');
    const response = await postMultipart(server.url, [{ name: 'file', filename: name, data: 'x' }], {
      authorization: 'Bearer caller-token',
    });
    expect(response.status).toBe(201);
    const call = (await hook.calls()).calls.find((c) => c.name === name)!;
    expect(call.token).toBe('caller-token');
    expect(call.headers).toEqual({});
  });

  it("403 on the hook's 403: the client sees the hook's message, and nothing is stored or started", async () => {
    const observer = recordingObserver();
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url }, { observer });
    const response = await postMultipart(server.url, [
      { name: 'file', filename: named('deny-'), data: 'no' },
    ]);
    expect(response.status).toBe(403);
    expect((await response.json()) as ErrorBody).toEqual({
      statusCode: 403,
      code: 'UPLOAD_REJECTED',
      error: 'Forbidden',
      message: 'Quota exceeded for alice',
    });
    expect(observer.calls).toEqual([]);
    expect(await listed(server.url)).toEqual([]);
    expect(await tempFiles(server.dir)).toEqual([]);
    const metrics = await scrape(server.url);
    expect(sample(metrics, 'livedrop_pre_upload_checks_total', { outcome: 'rejected' })).toBe(1);
    expect(sample(metrics, 'livedrop_pre_upload_checks_total', { outcome: 'allowed' })).toBe(0);
  });

  it("413 on the hook's 413; a 4xx without JSON still refuses, with a generic message", async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const big = await postMultipart(server.url, [{ name: 'file', filename: named('toolarge-'), data: 'x' }]);
    expect(big.status).toBe(413);
    expect((await big.json()) as ErrorBody).toMatchObject({
      code: 'UPLOAD_REJECTED',
      message: 'Files over 1 MiB need the pro plan',
    });
    const plain = await postMultipart(server.url, [{ name: 'file', filename: named('plain-'), data: 'x' }]);
    expect(plain.status).toBe(400);
    expect((await plain.json()) as ErrorBody).toMatchObject({
      code: 'UPLOAD_REJECTED',
      message: 'The upload was refused',
    });
  });

  it('refuses the whole request when one of its files is refused: the allowed one is not kept', async () => {
    const observer = recordingObserver();
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url }, { observer });
    const response = await postMultipart(server.url, [
      { name: 'file', filename: named('allow-'), data: 'first' },
      { name: 'file', filename: named('deny-'), data: 'second' },
    ]);
    expect(response.status).toBe(403);
    expect(((await response.json()) as ErrorBody).message).toBe('Quota exceeded for alice');
    // The first file began (and was then failed with the request); the refused one never started.
    const events = observer.calls.map((c) => c.event).filter((e) => e !== 'progress');
    expect(events).toEqual(['started', 'failed']);
    expect(await listed(server.url)).toEqual([]);
    expect(await tempFiles(server.dir)).toEqual([]);
  });

  it('503 when the hook does not answer within HOOK_PRE_UPLOAD_TIMEOUT_MS (fail closed)', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url, HOOK_PRE_UPLOAD_TIMEOUT_MS: '300' });
    const response = await postMultipart(server.url, [{ name: 'file', filename: named('slow-'), data: 'x' }]);
    expect(response.status).toBe(503);
    expect((await response.json()) as ErrorBody).toMatchObject({
      code: 'UPLOAD_HOOK_FAILED',
      message: 'The pre-upload check could not be made (no answer within 300 ms); try again shortly',
    });
    expect(await listed(server.url)).toEqual([]);
  });

  it('503 when the hook answers 5xx or metadata that is not strings', async () => {
    server = await startServer({ HOOK_PRE_UPLOAD_URL: hook.url });
    const broken = await postMultipart(server.url, [{ name: 'file', filename: named('broken-'), data: 'x' }]);
    expect(broken.status).toBe(503);
    expect(((await broken.json()) as ErrorBody).message).toContain('HTTP 500');
    const badMeta = await postMultipart(server.url, [
      { name: 'file', filename: named('badmeta-'), data: 'x' },
    ]);
    expect(badMeta.status).toBe(503);
    expect(((await badMeta.json()) as ErrorBody).code).toBe('UPLOAD_HOOK_FAILED');
  });

  it('503 when the hook is down; HOOK_PRE_UPLOAD_ON_ERROR=allow lets the upload through instead', async () => {
    const gone = await startHookReceiver();
    await gone.stop(); // its port now refuses connections
    server = await startServer({ HOOK_PRE_UPLOAD_URL: gone.url });
    const closed = await postMultipart(server.url, [{ name: 'file', filename: 'a.txt', data: 'x' }]);
    expect(closed.status).toBe(503);
    expect((await closed.json()) as ErrorBody).toMatchObject({
      code: 'UPLOAD_HOOK_FAILED',
      message: 'The pre-upload check could not be made (ECONNREFUSED); try again shortly',
    });
    const closedOutcome = { outcome: 'failed-closed' };
    expect(sample(await scrape(server.url), 'livedrop_pre_upload_checks_total', closedOutcome)).toBe(1);
    await server.close();

    server = await startServer({ HOOK_PRE_UPLOAD_URL: gone.url, HOOK_PRE_UPLOAD_ON_ERROR: 'allow' });
    const open = await postMultipart(server.url, [{ name: 'file', filename: 'a.txt', data: 'x' }]);
    expect(open.status).toBe(201);
    const openOutcome = { outcome: 'failed-open' };
    expect(sample(await scrape(server.url), 'livedrop_pre_upload_checks_total', openOutcome)).toBe(1);
  });

  it('asks at most HOOK_PRE_UPLOAD_CONCURRENCY at once; waiting for a slot counts toward the timeout', async () => {
    const own = await startHookReceiver();
    try {
      server = await startServer({
        HOOK_PRE_UPLOAD_URL: own.url,
        HOOK_PRE_UPLOAD_CONCURRENCY: '2',
        HOOK_PRE_UPLOAD_TIMEOUT_MS: '500',
      });
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          postMultipart(server!.url, [{ name: 'file', filename: named('slow-'), data: 'x' }]),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
      const { calls, maxOpen } = await own.calls();
      expect(maxOpen).toBe(2);
      expect(calls.length).toBeGreaterThanOrEqual(2);
    } finally {
      await own.stop();
    }
  });
});
