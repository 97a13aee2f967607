import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempFileWriter } from '../../../server/uploads/temp-file-writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'livedrop-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function recorder() {
  const totals: number[] = [];
  const errors: Error[] = [];
  let drains = 0;
  return {
    totals,
    errors,
    drains: () => drains,
    events: {
      written: (total: number) => totals.push(total),
      drain: () => drains++,
      error: (error: Error) => errors.push(error),
    },
  };
}

describe('TempFileWriter', () => {
  it('writes every chunk in order, reports rising totals and returns the sha256', async () => {
    const seen = recorder();
    const writer = new TempFileWriter(join(dir, 'f'), true, seen.events);
    const chunks = Array.from({ length: 50 }, () => randomBytes(10_000));
    // Pushed before the file is even open: they queue.
    for (const chunk of chunks.slice(0, 10)) writer.push(chunk);
    await writer.open();
    for (const chunk of chunks.slice(10)) writer.push(chunk);
    const digest = await writer.finish();

    const all = Buffer.concat(chunks);
    expect(await readFile(join(dir, 'f'))).toEqual(all);
    expect(digest).toBe(createHash('sha256').update(all).digest('hex'));
    expect(seen.totals.at(-1)).toBe(all.length);
    expect(seen.totals).toEqual([...seen.totals].sort((a, b) => a - b));
    expect(writer.written).toBe(all.length);
    expect(seen.errors).toEqual([]);
  });

  it('asks the source to pause at 1 MiB queued and to resume once it drained', async () => {
    const seen = recorder();
    const writer = new TempFileWriter(join(dir, 'f'), false, seen.events);
    const chunk = Buffer.alloc(256 * 1024);
    const answers = [writer.push(chunk), writer.push(chunk), writer.push(chunk), writer.push(chunk)];
    expect(answers).toEqual([true, true, true, false]);
    await writer.open();
    expect(await writer.finish()).toBeUndefined();
    expect(seen.drains()).toBe(1);
  });

  it('destroy() removes the file, even while a write is in flight', async () => {
    const writer = new TempFileWriter(join(dir, 'f'), false, recorder().events);
    await writer.open();
    writer.push(randomBytes(2 * 1024 * 1024));
    await writer.destroy();
    expect(await readdir(dir)).toEqual([]);
  });

  it('destroy() before open has finished still leaves no file behind', async () => {
    const writer = new TempFileWriter(join(dir, 'f'), false, recorder().events);
    const opening = writer.open();
    await writer.destroy();
    await opening;
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a failing open as an error event', async () => {
    const seen = recorder();
    const writer = new TempFileWriter(join(dir, 'missing', 'f'), false, seen.events);
    await expect(writer.open()).rejects.toThrow();
    expect((seen.errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
