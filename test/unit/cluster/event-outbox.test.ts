import { describe, expect, it } from 'vitest';
import { EventOutbox } from '../../../server/cluster/event-outbox.js';

const types = (outbox: EventOutbox) => outbox.take(100).map((e) => `${e.type}:${e.uploadId}:${e.rest}`);

describe('EventOutbox', () => {
  it('replaces a waiting progress event of the same upload in place, so it stays before completed', () => {
    const outbox = new EventOutbox(100);
    outbox.add('upload.started', 'a', 's');
    outbox.add('upload.progress', 'a', '10');
    outbox.add('upload.progress', 'b', '5');
    outbox.add('upload.progress', 'a', '20');
    outbox.add('upload.completed', 'a', 'c');
    expect(types(outbox)).toEqual([
      'upload.started:a:s',
      'upload.progress:a:20',
      'upload.progress:b:5',
      'upload.completed:a:c',
    ]);
  });

  it('keeps one waiting watcher count, the latest', () => {
    const outbox = new EventOutbox(100);
    for (const count of ['1', '2', '3']) outbox.add('watchers', '', count);
    expect(types(outbox)).toEqual(['watchers::3']);
  });

  it('never replaces an entry on its way to Redis, and numbers entries in order', () => {
    const outbox = new EventOutbox(100);
    outbox.add('upload.progress', 'a', '10');
    const sent = outbox.take(10);
    outbox.add('upload.progress', 'a', '20');
    expect(sent.map((e) => e.rest)).toEqual(['10']);
    outbox.settle(0); // the send failed: both go again, in order
    const again = outbox.take(10);
    expect(again.map((e) => e.rest)).toEqual(['10', '20']);
    expect(again[1]!.number).toBeGreaterThan(again[0]!.number);
    outbox.settle(2);
    expect(outbox.size).toBe(0);
  });

  it('drops the oldest waiting entries past its capacity and counts them', () => {
    const outbox = new EventOutbox(3);
    for (let i = 0; i < 5; i++) outbox.add('upload.deleted', `u${i}`, '}');
    expect(outbox.dropped).toBe(2);
    expect(types(outbox)).toEqual(['upload.deleted:u2:}', 'upload.deleted:u3:}', 'upload.deleted:u4:}']);
  });
});
