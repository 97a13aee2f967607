import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../../../server/integrations/delivery-queue.js';
import { DiskDeliveryQueue } from '../../../server/integrations/disk-delivery-queue.js';
import { receiverName, retryDelay } from '../../../server/integrations/webhook-delivery.js';
import { signDelivery, verifyDelivery } from '../../../server/integrations/webhook-signature.js';

const warnings: unknown[] = [];
const log = { warn: (entry: unknown) => warnings.push(entry) } as unknown as FastifyBaseLogger;
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const delivery = (id: string, overrides: Partial<Delivery> = {}): Delivery => ({
  id,
  eventId: `event-${id}`,
  type: 'upload.completed',
  uploadId: 'u1',
  url: 'https://app.example/hook',
  body: '{"id":"x"}',
  createdAt: Date.now(),
  attempts: 0,
  nextAttemptAt: 0,
  ...overrides,
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 over timestamp "." body, and any change to either breaks it', () => {
    const signature = signDelivery('secret', '1700000000', '{"a":1}');
    // Computed independently: echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    expect(signature).toBe('sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686');
    expect(verifyDelivery('secret', '1700000000', '{"a":1}', signature)).toBe(true);
    expect(verifyDelivery('secret', '1700000001', '{"a":1}', signature)).toBe(false);
    expect(verifyDelivery('secret', '1700000000', '{"a":2}', signature)).toBe(false);
    expect(verifyDelivery('other', '1700000000', '{"a":1}', signature)).toBe(false);
    expect(verifyDelivery('secret', '1700000000', '{"a":1}', 'sha256=00')).toBe(false);
  });
});

describe('retryDelay', () => {
  it('doubles from the minimum, stays within [delay/2, delay], and is capped', () => {
    for (let attempt = 1; attempt <= 60; attempt++) {
      const full = Math.min(10_000, 100 * 2 ** (attempt - 1));
      const delay = retryDelay(attempt, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(full / 2);
      expect(delay).toBeLessThanOrEqual(full);
    }
  });
});

describe('receiverName', () => {
  it('drops credentials and the query string (either may hold a secret)', () => {
    expect(receiverName('https://user:pw@app.example:8443/hooks/in?token=abc')).toBe(
      'https://app.example:8443/hooks/in',
    );
  });
});

describe('DiskDeliveryQueue', () => {
  it('reloads pending and dead deliveries on open, removes torn temp files, and bounds the dead list', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-queue-'));
    const first = new DiskDeliveryQueue(dir, log, 2);
    await first.open();
    await first.add([delivery('a'), delivery('b'), delivery('c'), delivery('d')]);
    const [taken] = await first.take(Date.now(), 1);
    expect(taken!.id).toBe('a');
    taken!.attempts = 3;
    taken!.lastError = 'HTTP 500';
    taken!.nextAttemptAt = Date.now() + 60_000;
    await first.retry(taken!);
    for (const id of ['b', 'c', 'd']) await first.bury(delivery(id, { lastError: 'gave up' }));
    // A write a crash cut short, and garbage.
    await writeFile(join(dir, 'pending', 'e.json.tmp'), '{"id":');
    await writeFile(join(dir, 'pending', 'f.json'), 'not json');
    await first.close();

    const second = new DiskDeliveryQueue(dir, log, 2);
    await second.open();
    const { pending, dead } = await second.list();
    expect(pending.map((d) => [d.id, d.attempts, d.lastError])).toEqual([['a', 3, 'HTTP 500']]);
    expect(dead.map((d) => d.id)).toEqual(['c', 'd']);
    expect(await readdir(join(dir, 'pending'))).toEqual(['a.json']);
    expect(warnings).toEqual([{ file: join(dir, 'pending', 'f.json') }]); // the torn temp file is silent
    expect(await second.nextDueAt()).toBe(pending[0]!.nextAttemptAt);
    expect(await second.take(Date.now(), 10)).toEqual([]);
    expect(second.counts().get('https://app.example/hook')).toEqual({ pending: 1, dead: 2 });
  });

  it('refuses a directory a live process uses; takes over the claim of a dead one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-queue-'));
    const first = new DiskDeliveryQueue(dir, log);
    await first.open();
    await expect(new DiskDeliveryQueue(dir, log).open()).rejects.toThrow(
      /^WEBHOOK_QUEUE_DIR=".*" is in use by .* \(pid \d+\): give each node its own/,
    );
    await first.close();
    const second = new DiskDeliveryQueue(dir, log);
    await second.open();
    await second.close();
    // A process that died without closing (kill -9): pid 2^22 + 1 is above Linux's pid_max default.
    await writeFile(join(dir, 'owner'), `${hostname()} 4194305`);
    const third = new DiskDeliveryQueue(dir, log);
    await third.open();
    expect(await readFile(join(dir, 'owner'), 'utf8')).toBe(`${hostname()} ${process.pid}`);
    await third.close();
  });

  it('take never hands out the same delivery twice until it is retried', async () => {
    dir = await mkdtemp(join(tmpdir(), 'livedrop-queue-'));
    const queue = new DiskDeliveryQueue(dir, log);
    await queue.open();
    await queue.add([delivery('a'), delivery('b')]);
    expect((await queue.take(Date.now(), 1)).map((d) => d.id)).toEqual(['a']);
    expect((await queue.take(Date.now(), 5)).map((d) => d.id)).toEqual(['b']);
    expect(await queue.take(Date.now(), 5)).toEqual([]);
    const { pending } = await queue.list();
    await queue.retry(pending[0]!);
    expect((await queue.take(Date.now(), 5)).map((d) => d.id)).toEqual(['a']);
    await queue.done(pending[1]!);
    expect(queue.size).toBe(1);
  });
});
