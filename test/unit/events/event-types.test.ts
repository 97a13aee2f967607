import { describe, expect, expectTypeOf, it } from 'vitest';
import { InProcessEventBus } from '../../../server/events/event-bus.js';
import {
  type EncodedEvent,
  EVENT_TYPES,
  type EventBody,
  type EventType,
  type FeedNotice,
} from '../../../server/events/event-types.js';
import { readDoc } from '../../fixtures/docs.js';

describe('event type table', () => {
  it('covers every event the bus can publish', () => {
    expectTypeOf<EventBody['type'] | 'snapshot' | FeedNotice['type']>().toEqualTypeOf<EventType>();
  });

  it('lets only progress be coalesced for a slow watcher', () => {
    const coalescable = Object.entries(EVENT_TYPES).filter(([, t]) => t.coalescable);
    expect(coalescable.map(([type]) => type)).toEqual(['upload.progress']);
  });

  it('documents every event type in docs/', () => {
    const section = readDoc('events');
    for (const type of Object.keys(EVENT_TYPES))
      expect(section).toMatch(new RegExp(`\\|\\s*\`${type}\`\\s*\\|`));
  });
});

describe('InProcessEventBus', () => {
  it('stamps each event with the next seq and serialises it once, type and seq first', () => {
    const bus = new InProcessEventBus();
    const received: string[] = [];
    const events: EncodedEvent[] = [];
    const unsubscribe = bus.subscribe((event) => {
      received.push(event.json);
      events.push(event);
    });
    bus.publish({ type: 'watchers', count: 1 });
    bus.publish({ type: 'upload.deleted', upload: { id: 'abc' } });
    unsubscribe();
    bus.publish({ type: 'watchers', count: 0 });
    expect(received).toEqual([
      '{"type":"watchers","seq":1,"count":1}',
      '{"type":"upload.deleted","seq":2,"upload":{"id":"abc"}}',
    ]);
    expect([events[0]!.seq, events[1]!.seq, bus.seq]).toEqual([1, 2, 3]);
    expect(events[1]!.uploadId).toBe('abc');
  });
});
