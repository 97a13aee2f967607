import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, shortDigest } from '../../../web/format.js';

describe('formatBytes', () => {
  it('uses binary units with one decimal below 100 and none above', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GiB');
  });

  it('carries a value that rounds up to 1024 into the next unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1 MiB');
  });

  it('shows a dash for values that are not sizes', () => {
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(0.4)).toBe('under 1 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(2 * 3600 + 7 * 60 + 30)).toBe('2 h 07 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('–');
  });
});

describe('shortDigest', () => {
  it('keeps both ends of a long digest', () => {
    const hex = 'ab'.repeat(32);
    expect(shortDigest(hex)).toBe('abababab…abababab');
    expect(shortDigest('abc')).toBe('abc');
  });
});
