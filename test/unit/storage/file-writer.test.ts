import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileWriter } from '../../../server/storage/local/file-writer.js';

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

const create = { mode: 'create', offset: 0 } as const;

describe('FileWriter', () => {
  it('writes every chunk in order, reports rising totals and resolves with the length', async () => {
    const seen = recorder();
    // Pushed before the file is even open: they queue.
    const writer = new FileWriter(join(dir, 'f'), create, seen.events);
    const chunks = Array.from({ length: 50 }, () => randomBytes(10_000));
    for (const chunk of chunks) writer.push(chunk);
    const all = Buffer.concat(chunks);
    expect(await writer.finish()).toBe(all.length);
    expect(await readFile(join(dir, 'f'))).toEqual(all);
    expect(seen.totals.at(-1)).toBe(all.length);
    expect(seen.totals).toEqual([...seen.totals].sort((a, b) => a - b));
    expect(seen.errors).toEqual([]);
  });

  it('asks the source to pause at 1 MiB queued and to resume once it drained', async () => {
    const seen = recorder();
    const writer = new FileWriter(join(dir, 'f'), create, seen.events);
    const chunk = Buffer.alloc(256 * 1024);
    const answers = [writer.push(chunk), writer.push(chunk), writer.push(chunk), writer.push(chunk)];
    expect(answers).toEqual([true, true, true, false]);
    expect(await writer.finish()).toBe(1024 * 1024);
    expect(seen.drains()).toBe(1);
  });

  it('destroy() removes a created file, even while a write is in flight', async () => {
    const writer = new FileWriter(join(dir, 'f'), create, recorder().events);
    writer.push(randomBytes(2 * 1024 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await writer.destroy();
    expect(await readdir(dir)).toEqual([]);
  });

  it('destroy() right after construction still leaves no file behind', async () => {
    const writer = new FileWriter(join(dir, 'f'), create, recorder().events);
    await writer.destroy();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports a failing open as an error event, and finish() rejects', async () => {
    const seen = recorder();
    const writer = new FileWriter(join(dir, 'missing', 'f'), create, seen.events);
    await expect(writer.finish()).rejects.toThrow();
    expect((seen.errors[0] as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('appends at the end of an existing file and destroy() keeps what was written', async () => {
    await writeFile(join(dir, 'f'), 'abc');
    const writer = new FileWriter(join(dir, 'f'), { mode: 'append', offset: 3 }, recorder().events);
    writer.push(Buffer.from('def'));
    expect(await writer.finish()).toBe(6);
    const second = new FileWriter(join(dir, 'f'), { mode: 'append', offset: 6 }, recorder().events);
    second.push(Buffer.from('ghi'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.destroy();
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('abcdefghi');
  });

  it('refuses an append whose offset is not the file length (OFFSET_MISMATCH), leaving the file as it was', async () => {
    await writeFile(join(dir, 'f'), 'abc');
    const seen = recorder();
    const writer = new FileWriter(join(dir, 'f'), { mode: 'append', offset: 2 }, seen.events);
    writer.push(Buffer.from('x'));
    await expect(writer.finish()).rejects.toThrow();
    expect((seen.errors[0] as NodeJS.ErrnoException).code).toBe('OFFSET_MISMATCH');
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('abc');
  });
});
