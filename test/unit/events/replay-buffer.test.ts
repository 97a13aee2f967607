import { describe, expect, it } from 'vitest';
import type { EncodedEvent } from '../../../server/events/event-types.js';
import { ReplayBuffer } from '../../../server/events/replay-buffer.js';

const event = (seq: number): EncodedEvent => ({
  seq,
  type: 'watchers',
  uploadId: undefined,
  json: `{"seq":${seq}}`,
});

function filled(capacity: number, count: number): ReplayBuffer {
  const buffer = new ReplayBuffer(capacity);
  for (let seq = 1; seq <= count; seq++) buffer.push(event(seq));
  return buffer;
}

const seqs = (events: EncodedEvent[] | undefined) => events?.map((e) => e.seq);

describe('ReplayBuffer', () => {
  it('returns the events after seq, oldest first', () => {
    const buffer = filled(8, 5);
    expect(seqs(buffer.since(2, 5))).toEqual([3, 4, 5]);
    expect(seqs(buffer.since(0, 5))).toEqual([1, 2, 3, 4, 5]);
  });

  it('returns [] for a watcher that is up to date, even before the first event', () => {
    expect(filled(8, 5).since(5, 5)).toEqual([]);
    expect(new ReplayBuffer(8).since(0, 0)).toEqual([]);
  });

  it('keeps only the newest events once it wraps around', () => {
    const buffer = filled(4, 11);
    expect(seqs(buffer.since(7, 11))).toEqual([8, 9, 10, 11]);
    expect(seqs(buffer.since(9, 11))).toEqual([10, 11]);
  });

  it('answers undefined (snapshot needed) when seq is older than what it holds', () => {
    const buffer = filled(4, 11);
    expect(buffer.since(6, 11)).toBeUndefined();
    expect(buffer.since(0, 11)).toBeUndefined();
  });

  it('answers undefined for a seq this server never issued (from before a restart)', () => {
    expect(filled(4, 3).since(99, 3)).toBeUndefined();
    expect(new ReplayBuffer(4).since(5, 0)).toBeUndefined();
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ReplayBuffer(0)).toThrow(RangeError);
    expect(() => new ReplayBuffer(1.5)).toThrow(RangeError);
  });

  it('drops the oldest events once their JSON passes the byte bound, keeping the newest', () => {
    const big = (seq: number): EncodedEvent => ({ ...event(seq), json: 'x'.repeat(400) });
    const buffer = new ReplayBuffer(100, 1000);
    for (let seq = 1; seq <= 5; seq++) buffer.push(big(seq));
    // 1000 characters hold two 400-character events: 4 and 5 remain, 3 and earlier need a snapshot.
    expect(seqs(buffer.since(3, 5))).toEqual([4, 5]);
    expect(buffer.since(2, 5)).toBeUndefined();
    const huge = new ReplayBuffer(100, 10);
    huge.push(big(1));
    expect(seqs(huge.since(0, 1))).toEqual([1]);
  });
});
