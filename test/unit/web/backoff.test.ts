import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../web/backoff.js';

const options = { baseMs: 500, maxMs: 10_000, factor: 2 };

describe('backoffDelay', () => {
  it('doubles per attempt between half and all of the ceiling', () => {
    expect(backoffDelay(0, options, () => 0)).toBe(250);
    expect(backoffDelay(0, options, () => 1)).toBe(500);
    expect(backoffDelay(3, options, () => 0)).toBe(2000);
    expect(backoffDelay(3, options, () => 1)).toBe(4000);
  });

  it('stops growing at the maximum', () => {
    expect(backoffDelay(20, options, () => 1)).toBe(10_000);
    expect(backoffDelay(1000, options, () => 0)).toBe(5000);
  });

  it('spreads clients out with jitter', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(4000);
      expect(delay).toBeLessThanOrEqual(8000);
    }
  });
});
