import { describe, expect, it } from 'vitest';
import { progressTitle } from '../../../web/page-title.js';
import { formatRelative } from '../../../web/relative-time.js';

const item = (status: string, sent: number, size: number) => ({ status, sent, file: { size } });

describe('progressTitle', () => {
  it('is the plain name when nothing moves', () => {
    expect(progressTitle([])).toBe('livedrop');
    expect(progressTitle([item('done', 10, 10), item('failed', 0, 5)])).toBe('livedrop');
  });

  it('shows the whole percentage of bytes sent across moving uploads', () => {
    expect(progressTitle([item('uploading', 42, 100)])).toBe('42 % · livedrop');
    expect(progressTitle([item('uploading', 50, 100), item('queued', 0, 100), item('done', 9, 9)])).toBe(
      '25 % · livedrop',
    );
  });
});

describe('formatRelative', () => {
  const now = Date.UTC(2026, 0, 10, 12);
  it.each([
    [now - 3 * 60_000, /3 min/],
    [now - 2 * 3_600_000, /2 hr/],
    [now - 5_000, /now/],
  ])('%s → %s', (at, pattern) => {
    expect(formatRelative(new Date(at).toISOString(), now)).toMatch(pattern);
  });
});
