import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EncodedEvent, EventType } from '../../../server/events/event-types.js';
import {
  type SlowWatcherPolicy,
  WatcherQueue,
  type WatcherSink,
} from '../../../server/events/watcher-queue.js';

let seq = 0;
const event = (type: EventType, uploadId?: string): EncodedEvent => ({
  seq: ++seq,
  type,
  uploadId,
  json: JSON.stringify({ type, seq, uploadId }),
});

/** A socket whose unsent byte count the test controls: `stall()` makes every write stay pending. */
class FakeSocket implements WatcherSink {
  written: EncodedEvent[] = [];
  bufferedAmount = 0;
  stalled = false;
  dropped: string | undefined;
  write(payload: Buffer): void {
    this.written.push(JSON.parse(payload.toString()));
    if (this.stalled) this.bufferedAmount += payload.length;
  }
  dropTooSlow(reason: string): void {
    this.dropped = reason;
  }
  /** The kernel took everything. */
  drain(): void {
    this.bufferedAmount = 0;
    this.stalled = false;
  }
}

const policy: SlowWatcherPolicy = { highWaterBytes: 100, maxQueuedBytes: 1000, maxBehindMs: 5000 };

function setUp() {
  const socket = new FakeSocket();
  const queue = new WatcherQueue(socket, policy);
  const push = (e: EncodedEvent) => queue.push(e, Buffer.from(e.json));
  return { socket, queue, push };
}

describe('WatcherQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    seq = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('writes straight through while the socket keeps up', () => {
    const { socket, push } = setUp();
    for (let i = 0; i < 50; i++) push(event('upload.progress', 'a'));
    expect(socket.written.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('coalesces progress to the latest per upload while behind, keeping every other event in seq order', () => {
    const { socket, queue, push } = setUp();
    socket.bufferedAmount = 500; // behind
    push(event('upload.started', 'a')); // 1
    push(event('upload.progress', 'a')); // 2
    push(event('upload.started', 'b')); // 3
    push(event('upload.progress', 'b')); // 4
    push(event('upload.progress', 'a')); // 5 replaces 2
    push(event('watchers')); // 6
    push(event('upload.progress', 'a')); // 7 replaces 5
    push(event('upload.progress', 'b')); // 8 replaces 4
    push(event('upload.completed', 'a')); // 9
    expect(socket.written).toEqual([]);
    socket.drain();
    queue.flush();
    expect(socket.written.map((e) => e.seq)).toEqual([1, 3, 6, 7, 8, 9]);
    expect(queue.queuedBytes).toBe(0);
  });

  it('sends only as much as the socket takes, then resumes on drain', () => {
    const { socket, queue, push } = setUp();
    socket.bufferedAmount = 500;
    for (const id of ['a', 'b', 'c', 'd']) push(event('upload.started', id));
    socket.drain();
    socket.stalled = true;
    queue.flush(); // 49 bytes each: it writes until the unsent bytes pass the 100-byte mark
    expect(socket.written.map((e) => e.seq)).toEqual([1, 2, 3]);
    socket.drain();
    queue.flush();
    expect(socket.written.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('drops a watcher whose queue grows past maxQueuedBytes, even though only progress is coalesced', () => {
    const { socket, push } = setUp();
    socket.bufferedAmount = 500;
    for (let i = 0; socket.dropped === undefined && i < 100; i++) push(event('upload.started', `u${i}`));
    expect(socket.dropped).toMatch(/1000 bytes/);
  });

  it('keeps a behind watcher on coalesced progress alone, however many reports come', () => {
    const { socket, queue, push } = setUp();
    socket.bufferedAmount = 500;
    for (let i = 0; i < 10_000; i++) push(event('upload.progress', `u${i % 3}`));
    expect(socket.dropped).toBeUndefined();
    expect(queue.queuedBytes).toBeLessThan(policy.maxQueuedBytes);
  });

  it('drops a watcher that takes nothing for maxBehindMs', () => {
    const { socket, push } = setUp();
    socket.bufferedAmount = 500;
    push(event('upload.started', 'a'));
    vi.advanceTimersByTime(4999);
    expect(socket.dropped).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(socket.dropped).toMatch(/5000 ms/);
  });

  it('keeps a slow watcher that still takes events now and then', () => {
    const { socket, queue, push } = setUp();
    for (let round = 0; round < 5; round++) {
      socket.bufferedAmount = 500;
      push(event('upload.started', `a${round}`));
      push(event('upload.started', `b${round}`));
      vi.advanceTimersByTime(4000);
      socket.bufferedAmount = 60; // room for one event: the queue is still not empty afterwards
      socket.stalled = true;
      queue.flush();
    }
    expect(socket.dropped).toBeUndefined();
    expect(socket.written.length).toBeGreaterThan(0);
  });

  it('writes events published together as one write, or queues them one by one when behind', () => {
    const { socket, queue } = setUp();
    const writes: Buffer[] = [];
    const write = socket.write.bind(socket);
    socket.write = (payload) => {
      writes.push(payload);
      if (payload.length < 60) write(payload);
    };
    const batch = () => {
      const events = [
        event('upload.progress', 'a'),
        event('upload.progress', 'b'),
        event('upload.progress', 'a'),
      ];
      const frames = events.map((e) => Buffer.from(e.json));
      return [events, frames, Buffer.concat(frames)] as const;
    };
    queue.pushAll(...batch());
    expect(writes).toHaveLength(1);
    socket.bufferedAmount = 500;
    queue.pushAll(...batch()); // seqs 4, 5, 6: the progress of a at 4 is superseded by 6
    socket.drain();
    queue.flush();
    expect(socket.written.map((e) => e.seq)).toEqual([5, 6]);
  });

  it('forgets the queue and never writes again once closed', () => {
    const { socket, queue, push } = setUp();
    socket.bufferedAmount = 500;
    push(event('upload.started', 'a'));
    queue.close();
    socket.drain();
    queue.flush();
    push(event('upload.started', 'b'));
    vi.advanceTimersByTime(10_000);
    expect(socket.written).toEqual([]);
    expect(socket.dropped).toBeUndefined();
  });
});
