import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessEventBus } from '../../../server/events/event-bus.js';
import { EventHistory } from '../../../server/events/event-history.js';
import type { EncodedEvent } from '../../../server/events/event-types.js';
import { Presence } from '../../../server/events/presence.js';
import { defaultSlowWatcherPolicy, type WatcherSink } from '../../../server/events/watcher-queue.js';
import { WatcherSet } from '../../../server/events/watcher-set.js';
import type { Upload } from '../../../server/uploads/upload.js';

class RecordingSink implements WatcherSink {
  bufferedAmount = 0;
  writes: Buffer[] = [];
  write(payload: Buffer): void {
    this.writes.push(payload);
  }
  dropTooSlow(): void {}
  /** The JSON events in all writes, in order (frames here are newline-terminated JSON). */
  events(): { type: string; seq: number }[] {
    return Buffer.concat(this.writes)
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
}

describe('WatcherSet', () => {
  let bus: InProcessEventBus;
  let presence: Presence;
  let framed: number;
  let set: WatcherSet;

  beforeEach(() => {
    vi.useFakeTimers();
    bus = new InProcessEventBus();
    presence = new Presence(bus);
    const history = new EventHistory(bus, 100, { inProgress: () => [], recentUploads: () => [] });
    framed = 0;
    const frame = (event: EncodedEvent) => {
      framed++;
      return Buffer.from(`${event.json}\n`);
    };
    set = new WatcherSet(bus, history, presence, defaultSlowWatcherPolicy, frame);
  });
  afterEach(() => {
    set.close();
    vi.useRealTimers();
  });

  it('starts a watcher with a snapshot that counts it, then its own watchers event', () => {
    const sink = new RecordingSink();
    set.join(sink, undefined);
    vi.runAllTimers();
    expect(sink.events()).toEqual([
      { type: 'snapshot', seq: 0, uploads: [], watchers: 1 },
      { type: 'watchers', seq: 1, count: 1 },
    ]);
  });

  it('frames each event once and hands every watcher the same bytes in one write', () => {
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    for (const sink of sinks) set.join(sink, undefined);
    vi.runAllTimers();
    for (const sink of sinks) sink.writes = [];
    framed = 0;
    for (let count = 10; count < 13; count++) bus.publish({ type: 'watchers', count });
    expect(sinks[0]!.writes).toEqual([]); // gathered for the delivery window
    vi.runAllTimers();
    expect(framed).toBe(3);
    for (const sink of sinks) expect(sink.writes).toHaveLength(1);
    expect(sinks[1]!.writes[0]).toBe(sinks[0]!.writes[0]);
    expect(sinks[0]!.events().map((e) => e.seq)).toEqual([4, 5, 6]);
  });

  it('sends a batch of progress events together as soon as the code publishing them ends, without the window', async () => {
    const sinks = [new RecordingSink(), new RecordingSink()];
    for (const sink of sinks) set.join(sink, undefined);
    vi.runAllTimers();
    for (const sink of sinks) sink.writes = [];
    const upload = (id: string, size: number): Upload => ({
      id,
      name: `${id}.bin`,
      type: 'application/octet-stream',
      size,
      expected: 100,
      status: 'uploading',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    // A tracker tick: an upload ending (windowed on its own) among the progress of two others.
    bus.publish({ type: 'upload.progress', upload: upload('a', 10) });
    bus.publish({ type: 'upload.deleted', upload: { id: 'x' } });
    bus.publish({ type: 'upload.progress', upload: upload('b', 20) });
    expect(sinks[0]!.writes).toEqual([]); // not from inside publish()
    await Promise.resolve(); // the publishing task is over; no timer has run
    for (const sink of sinks) {
      expect(sink.writes).toHaveLength(1);
      expect(sink.events().map((e) => [e.type, e.seq])).toEqual([
        ['upload.progress', 3],
        ['upload.deleted', 4],
        ['upload.progress', 5],
      ]);
    }
    vi.runAllTimers(); // the window's timer finds nothing left to send
    expect(sinks[0]!.writes).toHaveLength(1);
  });

  it('delivers events still gathering before a newcomer catches up, so nobody sees one twice', () => {
    const first = new RecordingSink();
    set.join(first, undefined);
    bus.publish({ type: 'upload.deleted', upload: { id: 'x' } }); // seq 2, still gathering
    const second = new RecordingSink();
    set.join(second, 1); // missed seq 2 only
    vi.runAllTimers();
    expect(first.events().map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(second.events().map((e) => [e.type, e.seq])).toEqual([
      ['upload.deleted', 2],
      ['watchers', 3],
    ]);
  });

  it('announces a leave and stops writing to the watcher that left', () => {
    const stays = new RecordingSink();
    const goes = new RecordingSink();
    set.join(stays, undefined);
    const queue = set.join(goes, undefined);
    vi.runAllTimers();
    goes.writes = [];
    set.leave(queue);
    vi.runAllTimers();
    expect(presence.count).toBe(1);
    expect(stays.events().at(-1)).toMatchObject({ type: 'watchers', count: 1 });
    expect(goes.writes).toEqual([]);
  });
});
