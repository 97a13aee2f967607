import { describe, expect, it } from 'vitest';
import { ENDED_ROW_MS, plainLine, WatchTable } from '../../../cli/watch-table.js';
import type { Upload } from '../../../server/uploads/upload.js';

const upload = (over: Partial<Upload>): Upload => ({
  id: 'AAAAAAAAbbbbbbbbCCCCCC',
  name: 'movie.mkv',
  type: 'video/x-matroska',
  size: 0,
  expected: 4096,
  status: 'uploading',
  createdAt: '2026-12-01T00:00:00.000Z',
  ...over,
});

describe('watch table', () => {
  it('shows a snapshot’s uploads in progress, not its completed ones', () => {
    const table = new WatchTable();
    table.apply({
      type: 'snapshot',
      seq: 3,
      watchers: 2,
      uploads: [
        upload({ size: 1024 }),
        upload({ id: 'ZZZZZZZZbbbbbbbbCCCCCC', name: 'old.txt', status: 'completed' }),
      ],
    });
    const screen = table.render('http://srv', 200);
    expect(screen).toContain('1 in progress  ·  2 watching');
    expect(screen).toMatch(/AAAAAAAA\s+movie\.mkv\s+uploading\s+█{5}░{15}\s+25%\s+1\.0 KiB \/ 4\.0 KiB/);
    expect(screen).not.toContain('old.txt');
  });

  it('keeps an ended upload at its final state for a while, then drops it; a deleted one at once', () => {
    const table = new WatchTable();
    table.apply({ type: 'upload.started', seq: 1, upload: upload({}) }, 0);
    table.apply(
      { type: 'upload.completed', seq: 2, upload: upload({ size: 4096, status: 'completed' }) },
      1000,
    );
    expect(table.render('s', 200)).toMatch(/completed\s+█{20}\s+100%/);
    table.prune(1000 + ENDED_ROW_MS - 1);
    expect(table.render('s', 200)).toContain('movie.mkv');
    table.prune(1000 + ENDED_ROW_MS + 1);
    expect(table.render('s', 200)).toContain('no uploads in progress');

    table.apply(
      { type: 'upload.progress', seq: 3, upload: upload({ id: 'BBBBBBBBbbbbbbbbCCCCCC', size: 10 }) },
      0,
    );
    table.apply({ type: 'upload.deleted', seq: 4, upload: { id: 'BBBBBBBBbbbbbbbbCCCCCC' } });
    expect(table.render('s', 200)).toContain('no uploads in progress');
  });

  it('shows a failure with its code, and ? when the size is unknown', () => {
    const table = new WatchTable();
    table.apply({ type: 'upload.progress', seq: 1, upload: upload({ expected: null, size: 10 }) });
    expect(table.render('s', 200)).toMatch(/uploading\s+░{20}\s+\?\s+10 B \/ \?/);
    table.apply({
      type: 'upload.failed',
      seq: 2,
      upload: upload({ status: 'failed', size: 10 }),
      error: { code: 'STORAGE_FULL', message: 'full' },
    });
    expect(table.render('s', 200)).toContain('failed STORAGE_FULL');
  });

  it('prints one tab-separated line per event when piped', () => {
    expect(plainLine({ type: 'upload.progress', seq: 1, upload: upload({ size: 7 }) })).toBe(
      'upload.progress\tAAAAAAAAbbbbbbbbCCCCCC\t7/4096\tmovie.mkv',
    );
    expect(plainLine({ type: 'watchers', seq: 2, count: 3 })).toBe('watchers\t3');
  });
});
