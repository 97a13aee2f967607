import { describe, expect, it } from 'vitest';
import { InProcessUploadLocks } from '../../../server/tus/upload-lock.js';

describe('InProcessUploadLocks', () => {
  it('asks the holder to stop and hands the lock over once it lets go, with a higher token', async () => {
    const locks = new InProcessUploadLocks();
    const first = (await locks.acquire('u', 1000))!;
    expect(first.stopRequested.aborted).toBe(false);
    const second = locks.acquire('u', 1000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.stopRequested.aborted).toBe(true);
    await first.release();
    const lease = (await second)!;
    expect(lease.token).toBeGreaterThan(first.token);
    await lease.release();
  });

  it('gives up (null) when the holder does not let go in time', async () => {
    const locks = new InProcessUploadLocks();
    const stubborn = (await locks.acquire('u', 1000))!;
    expect(await locks.acquire('u', 50)).toBeNull();
    await stubborn.release();
    const next = await locks.acquire('u', 50);
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('does not make different uploads wait for each other', async () => {
    const locks = new InProcessUploadLocks();
    const a = (await locks.acquire('a', 1000))!;
    const b = (await locks.acquire('b', 1000))!;
    expect(a.stopRequested.aborted).toBe(false);
    await Promise.all([a.release(), b.release()]);
  });

  it('tryAcquire takes a free lock, and answers null for a held or awaited one without disturbing its holder', async () => {
    const locks = new InProcessUploadLocks();
    const held = (await locks.acquire('u', 1000))!;
    expect(await locks.tryAcquire('u')).toBeNull();
    expect(held.stopRequested.aborted).toBe(false);
    const waiting = locks.acquire('u', 1000);
    await held.release();
    expect(await locks.tryAcquire('u')).toBeNull();
    const next = (await waiting)!;
    await next.release();
    await new Promise((resolve) => setImmediate(resolve));
    const free = (await locks.tryAcquire('u'))!;
    expect(free.token).toBeGreaterThan(next.token);
    await free.release();
  });
});
