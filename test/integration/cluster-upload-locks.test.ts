// The Redis per-upload lock of resumable uploads, two "nodes" (two RedisUploadLocks) on a real redis-server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_MS, RedisUploadLocks } from '../../server/cluster/redis-upload-locks.js';
import { type RedisServer, startRedisServer } from '../fixtures/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

const open: RedisUploadLocks[] = [];
const node = async (id: string) => {
  const locks = await RedisUploadLocks.open(redis.url, id, 'locks:', () => {});
  open.push(locks);
  return locks;
};
afterEach(() => {
  for (const locks of open.splice(0)) locks.close();
});

describe('RedisUploadLocks', () => {
  it('asks the holder on another node to stop, and hands the lock over with a larger fencing token', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const held = (await a.acquire('u1', 1000))!;
    held.stopRequested.addEventListener('abort', () => void held.release());
    const next = await b.acquire('u1', 2000);
    expect(held.stopRequested.aborted).toBe(true);
    expect(next!.token).toBeGreaterThan(held.token);
    await next!.release();
  });

  it('answers null when the holder does not let go within waitMs, and the holder keeps it', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const held = (await a.acquire('u2', 1000))!;
    expect(await b.acquire('u2', 300)).toBeNull();
    expect(held.stopRequested.aborted).toBe(true);
    await held.release();
    expect(await b.acquire('u2', 300)).not.toBeNull();
  });

  it('tryAcquire takes a free lock, and answers null for one held on another node without asking it to stop', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const held = (await a.acquire('u-try', 1000))!;
    expect(await b.tryAcquire('u-try')).toBeNull();
    // No release request was published: the holder keeps writing.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(held.stopRequested.aborted).toBe(false);
    await held.release();
    const free = (await b.tryAcquire('u-try'))!;
    expect(free.token).toBeGreaterThan(held.token);
    await free.release();
  });

  it('keeps a held lock past its lease by renewing it', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const held = (await a.acquire('u3', 1000))!;
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 700));
    expect(held.stopRequested.aborted).toBe(false);
    expect(await b.acquire('u3', 100)).toBeNull();
  });

  it('lets a dead node’s lock lapse: another node gets it within the lease', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const held = (await a.acquire('u4', 1000))!;
    a.close(); // the node is gone: no release, no more renewals
    const started = Date.now();
    const next = await b.acquire('u4', LEASE_MS + 1000);
    expect(next).not.toBeNull();
    expect(Date.now() - started).toBeLessThanOrEqual(LEASE_MS + 500);
    expect(next!.token).toBeGreaterThan(held.token);
  });

  it('keeps fencing tokens increasing even after Redis lost its data', async () => {
    const a = await node('a');
    const first = (await a.acquire('u5', 100))!;
    await first.release();
    await redis.command('FLUSHALL');
    const second = (await a.acquire('u5', 100))!;
    expect(second.token).toBeGreaterThan(first.token);
  });
});
