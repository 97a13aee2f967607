import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConfig } from '../../../web/api-types.js';
import { canRetry, UploadQueue } from '../../../web/upload-queue.js';
import type { UploadHandlers, UploadOutcome, UploadRequest } from '../../../web/xhr-upload.js';

/** A stand-in for the XHR: each request waits until the test settles it. */
class FakeNetwork {
  requests: {
    request: UploadRequest;
    handlers: UploadHandlers;
    settle(o: UploadOutcome): void;
    aborted: boolean;
  }[] = [];

  send = (request: UploadRequest, handlers: UploadHandlers) => {
    let settle!: (o: UploadOutcome) => void;
    const outcome = new Promise<UploadOutcome>((resolve) => {
      settle = resolve;
    });
    const entry = { request, handlers, settle, aborted: false };
    this.requests.push(entry);
    return {
      outcome,
      abort: () => {
        entry.aborted = true;
        settle({ kind: 'aborted' });
      },
    };
  };

  get open() {
    return this.requests.length;
  }
}

const config: ServerConfig = { maxFileSize: 1000, maxFiles: 20, allowedTypes: [], auth: false };
const file = (name: string, size = 100) =>
  new File([new Uint8Array(size)], name, { type: 'application/octet-stream' });
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('UploadQueue', () => {
  let network: FakeNetwork;
  let queue: UploadQueue;
  let refreshConfig: () => Promise<ServerConfig | null>;
  let online: boolean;

  beforeEach(() => {
    vi.useFakeTimers();
    online = true;
    network = new FakeNetwork();
    refreshConfig = vi.fn(async () => config);
    queue = new UploadQueue({
      target: { base: 'http://api.test', token: 't0k' },
      concurrency: 3,
      maxAutoRetries: 2,
      send: network.send,
      makeThumbnail: async (f) => (f.name.endsWith('.png') ? 'data:image/webp;base64,AAAA' : null),
      refreshConfig: () => refreshConfig(),
      isOnline: () => online,
      changed: () => {},
    });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs three requests at a time and starts the next as one finishes', async () => {
    const items = queue.add([file('a'), file('b'), file('c'), file('d'), file('e')]);
    await settle();
    expect(network.open).toBe(3);
    expect(items.map((i) => i.status)).toEqual(['uploading', 'uploading', 'uploading', 'queued', 'queued']);

    network.requests[0]!.settle({ kind: 'done', upload: null });
    await settle();
    expect(items[0]!.status).toBe('done');
    expect(network.open).toBe(4);
    expect(items[3]!.status).toBe('uploading');
  });

  it('sends the ref, the auth header and the thumbnail with each file', async () => {
    const [item] = queue.add([file('photo.png')]);
    await settle();
    const { request } = network.requests[0]!;
    expect(request.url).toBe('http://api.test/api/uploads');
    expect(request.ref).toBe(item!.ref);
    expect(request.ref).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    expect(request.headers).toEqual({ Authorization: 'Bearer t0k' });
    expect(request.thumbnail).toBe('data:image/webp;base64,AAAA');
  });

  it('tracks progress, then processing, then done', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    const { handlers, settle: finish } = network.requests[0]!;
    handlers.progress(40);
    expect(item!.sent).toBe(40);
    handlers.processing();
    expect(item!.status).toBe('processing');
    finish({ kind: 'done', upload: null });
    await settle();
    expect(item).toMatchObject({ status: 'done', sent: 100 });
  });

  it('does not retry a refusal (4xx) and shows its message', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    network.requests[0]!.settle({
      kind: 'refused',
      status: 415,
      message: 'File type x is not allowed (allowed: y)',
    });
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(item).toMatchObject({ status: 'failed', error: 'File type x is not allowed (allowed: y)' });
    expect(network.open).toBe(1);
  });

  it("offers no Retry after a final refusal (the hook's 403), but does after a 408 or a give-up", async () => {
    const [refused, timedOut] = queue.add([file('a'), file('b')]);
    await settle();
    network.requests[0]!.settle({ kind: 'refused', status: 403, message: 'Quota exceeded for alice' });
    network.requests[1]!.settle({ kind: 'refused', status: 408, message: 'No bytes arrived for 30000 ms' });
    await settle();
    expect(refused).toMatchObject({ status: 'failed', final: true });
    expect(canRetry(refused!)).toBe(false);
    queue.retry(refused!.ref);
    await settle();
    expect(refused!.status).toBe('failed');
    expect(network.open).toBe(2);

    expect(timedOut).toMatchObject({ status: 'failed', final: false });
    expect(canRetry(timedOut!)).toBe(true);
    queue.retry(timedOut!.ref);
    await settle();
    expect(timedOut!.status).toBe('uploading');
    expect(network.open).toBe(3);
  });

  it('retries network failures with backoff, then gives up and waits for Retry', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    network.requests[0]!.settle({ kind: 'network' });
    await settle();
    expect(item!.status).toBe('waiting');
    expect(item!.retryAt).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1000); // first retry after 0.5–1 s
    expect(network.open).toBe(2);

    network.requests[1]!.settle({ kind: 'refused', status: 503, message: 'The server is shutting down' });
    await settle();
    expect(item!.status).toBe('waiting');
    await vi.advanceTimersByTimeAsync(2000);
    expect(network.open).toBe(3);

    network.requests[2]!.settle({ kind: 'network' });
    await settle();
    expect(item!.status).toBe('failed');
    expect(item!.error).toContain('press Retry');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(network.open).toBe(3);

    queue.retry(item!.ref);
    await settle();
    expect(network.open).toBe(4);
    expect(item!.status).toBe('uploading');
  });

  it('waits for the network while the browser is offline, counting no failure, and goes again once it is back', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    online = false;
    for (let attempt = 0; attempt < 4; attempt++) {
      network.requests.at(-1)!.settle({ kind: 'network' });
      await settle();
      expect(item).toMatchObject({ status: 'waiting', failures: 0, retryAt: null });
      await vi.advanceTimersByTimeAsync(60_000);
      expect(network.open).toBe(attempt + 1); // nothing is sent while offline
      if (attempt < 3) queue.online(); // a flapping network: back, and gone again at once
      await settle();
    }
    online = true;
    queue.online();
    await settle();
    expect(item!.status).toBe('uploading');
    network.requests.at(-1)!.settle({ kind: 'done', upload: null });
    await settle();
    expect(item!.status).toBe('done');
  });

  it('a file waiting for its backoff goes at once when the network comes back', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    network.requests[0]!.settle({ kind: 'network' });
    await settle();
    expect(item!.retryAt).not.toBeNull();
    queue.online();
    await settle();
    expect(item!.status).toBe('uploading');
    expect(network.open).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(network.open).toBe(2); // the backoff timer was cleared, not fired as well
  });

  it("turns a network failure into the server's 413 message when the file is over the limit", async () => {
    const [item] = queue.add([file('big', 5000)]);
    await settle();
    refreshConfig = vi.fn(async () => ({ ...config, maxFileSize: 1024 }));
    network.requests[0]!.settle({ kind: 'network' });
    await settle();
    expect(item).toMatchObject({ status: 'failed', error: 'File too large: the limit is 1 KiB' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(network.open).toBe(1);
  });

  it('cancels a running request, ignores its late progress, and frees the slot', async () => {
    const items = queue.add([file('a'), file('b'), file('c'), file('d')]);
    await settle();
    const first = network.requests[0]!;
    queue.cancel(items[0]!.ref);
    await settle();
    expect(first.aborted).toBe(true);
    expect(items[0]!.status).toBe('cancelled');
    first.handlers.progress(90);
    expect(items[0]!.sent).toBe(0);
    expect(items[3]!.status).toBe('uploading');
  });

  it('cancels a file waiting for its retry without sending it again', async () => {
    const [item] = queue.add([file('a')]);
    await settle();
    network.requests[0]!.settle({ kind: 'network' });
    await settle();
    queue.cancel(item!.ref);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(item!.status).toBe('cancelled');
    expect(network.open).toBe(1);
  });
});
